// What the app-export oracle checks share: the holdout set a run validates on (same split, same seed) written as
// raw bytes, and app-export-eval.py run in Debian's PyTorch on an exported model.py + .pt (fails without torch).

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeBuiltinMnist } from '../../engine/data/builtin.ts';
import { gatherImages, gatherLabels } from '../../engine/data/dataset.ts';
import { splitDataSet } from '../../engine/data/split.ts';

export const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./app-export-eval.py', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface TorchEvaluation {
  keys: string[];
  missing: string[];
  unexpected: string[];
  samples: number;
  correct: number;
  accuracy: number;
}

/** The built-in digits' holdout for a run with `validation_split` and `seed`, as images.u8 and labels.u8 in `dir`. */
export function writeMnistHoldout(
  dir: string,
  validationSplit: number,
  seed: number,
): { images: string; labels: string } {
  const data = decodeBuiltinMnist(
    new Uint8Array(readFileSync(join(ROOT, 'engine/data/assets/mnist-10k.bin'))),
  );
  const { holdout } = splitDataSet(data, { holdout: validationSplit, seed });
  const images = join(dir, 'holdout-images.u8');
  const labels = join(dir, 'holdout-labels.u8');
  writeFileSync(images, gatherImages(data, holdout));
  writeFileSync(labels, Uint8Array.from(gatherLabels(data, holdout)));
  return { images, labels };
}

/** Loads `weights` into `className` from `modelPy` in PyTorch and evaluates it on the holdout bytes. */
export function torchAccuracy(
  modelPy: string,
  className: string,
  weights: string,
  holdout: { images: string; labels: string },
  shape: readonly number[],
): TorchEvaluation {
  if (!existsSync(PYTHON))
    throw new Error(
      `PyTorch oracle: ${PYTHON} does not exist. Install Debian's python3-torch (apt, not pip).`,
    );
  const run = spawnSync(
    PYTHON,
    [SCRIPT, modelPy, className, weights, holdout.images, holdout.labels, ...shape.map(String)],
    { encoding: 'utf8', timeout: 300_000 },
  );
  if (run.error) throw new Error(`could not run ${SCRIPT}: ${run.error.message}`);
  if (run.status !== 0) throw new Error(`app-export-eval.py failed (exit ${run.status}):\n${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as TorchEvaluation;
}
