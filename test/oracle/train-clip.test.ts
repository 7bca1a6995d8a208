// PyTorch decides: clipGradNorm gives torch.nn.utils.clip_grad_norm_'s total norm and clipped gradients on a
// tiny conv + linear net (clipping on, and a max_norm so large nothing changes).

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../engine/compile/compile.ts';
import { cpuBackend } from '../../engine/cpu/backend.ts';
import { GraphBuilder } from '../../engine/graph/builder.ts';
import { clipGradNorm } from '../../engine/train/clip.ts';
import { loadState } from '../../engine/train/state.ts';
import { runBackward, runForward } from '../../engine/train/train-step.ts';
import { expectClose } from '../support/fixtures.ts';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./train_clip.py', import.meta.url));
const MAX_NORMS = [0.5, 0.05, 1000];

interface TorchClip {
  weights: Record<string, { shape: number[]; values: number[] }>;
  input: number[];
  labels: number[];
  cases: { max_norm: number; total_norm: number; grads: Record<string, number[]> }[];
}

let torch: TorchClip;

beforeAll(() => {
  if (!existsSync(PYTHON))
    throw new Error(
      `PyTorch oracle: ${PYTHON} does not exist. Install Debian's python3-torch (apt-get install python3-torch); never pip.`,
    );
  const run = spawnSync(PYTHON, [SCRIPT, ...MAX_NORMS.map(String)], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`train_clip.py failed (is python3-torch installed?):\n${run.stderr}`);
  torch = JSON.parse(run.stdout);
});

function tinyNet() {
  const b = new GraphBuilder();
  let x = b.layer('Input', { shape: [1, 6, 6] }, [], 'input');
  x = b.layer('Conv2d', { out_channels: 3, kernel_size: 3 }, [x], 'conv');
  x = b.layer('ReLU', {}, [x]);
  x = b.layer('Flatten', {}, [x], 'flatten');
  x = b.layer('Linear', { out_features: 4 }, [x], 'fc');
  b.layer('Output', { num_classes: 4 }, [x], 'output');
  return b.graph;
}

describe('gradient clipping against torch.nn.utils.clip_grad_norm_', () => {
  for (const [i, maxNorm] of MAX_NORMS.entries())
    it(`max_norm ${maxNorm}: same total norm and gradients`, async () => {
      const exec = await cpuBackend.bind(compile(tinyNet(), 5, { optimizer: 'sgd' }));
      loadState(
        exec,
        new Map(Object.entries(torch.weights).map(([k, v]) => [k, Float32Array.from(v.values)])),
      );
      exec.write(exec.program.batch, Float32Array.from(torch.input));
      exec.write(exec.program.labels, Int32Array.from(torch.labels));
      runForward(exec, true);
      runBackward(exec, true);
      const expected = torch.cases[i]!;
      const total = await clipGradNorm(exec, maxNorm);
      expect(Math.abs(total - expected.total_norm)).toBeLessThanOrEqual(1e-5 * expected.total_norm);
      for (const u of exec.program.updates)
        expectClose(`grad ${u.key}`, await exec.read(u.grad), expected.grads[u.key]!);
      if (maxNorm < expected.total_norm) {
        let sum = 0;
        for (const u of exec.program.updates) for (const g of await exec.read(u.grad)) sum += g * g;
        expect(Math.sqrt(sum)).toBeCloseTo(maxNorm, 5);
      }
    });
});
