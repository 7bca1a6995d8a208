// `neurocanvas evaluate <graph> --weights FILE`: loads weights (a training checkpoint, model.pt or any torch
// state_dict), evaluates in eval mode on the run's holdout (or every image), prints accuracy and the confusion matrix.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { splitDataSet } from '../../engine/data/split.ts';
import { formatLoadReport, loadWeights } from '../../engine/io/load-weights.ts';
import { readCheckpoint } from '../../engine/io/torch/read.ts';
import { statsOf } from '../../engine/train/batches.ts';
import { CHECKPOINT_FORMAT, fromPython } from '../../engine/train/checkpoint.ts';
import { Evaluator } from '../../engine/train/evaluation.ts';
import { confusionText } from '../../engine/train/metrics.ts';
import { type RunSettings, runSettings, settingsFromJson } from '../../engine/train/settings.ts';
import { type ParsedArgs, UsageError } from '../args.ts';
import { openBackend } from '../backend.ts';
import { loadData } from '../data-source.ts';
import { loadProject } from '../load.ts';
import { inputShape, settingsFlags, userFacing } from './train.ts';

export const EVALUATE_USAGE = `usage: neurocanvas evaluate <graph.json> --weights FILE [--data PATH] [--split holdout|all]
  [--batch B] [--seed S] [--validation-split F] [--normalize none|dataset|MEAN/STD] [--backend auto|gpu|cpu]`;

/** The run settings that say which images were held out and how inputs were normalised. */
async function runSettingsFor(
  weights: string,
  extra: Map<string, unknown>,
): Promise<{ settings: RunSettings | null; from: string }> {
  if (extra.get('format') === CHECKPOINT_FORMAT)
    return { settings: settingsFromJson(fromPython(extra.get('settings') as never)), from: 'the checkpoint' };
  // model.pt holds only weights: its run folder's checkpoint.pt says how it was trained.
  const sibling = join(dirname(weights), 'checkpoint.pt');
  if (existsSync(sibling)) {
    const { extra: theirs } = await readCheckpoint(new Uint8Array(readFileSync(sibling)));
    if (theirs.get('format') === CHECKPOINT_FORMAT)
      return { settings: settingsFromJson(fromPython(theirs.get('settings') ?? null)), from: sibling };
  }
  return { settings: null, from: '' };
}

export function evaluateCommand(args: ParsedArgs, out: (line: string) => void): Promise<number> {
  return userFacing(() => evaluateRun(args, out));
}

async function evaluateRun(args: ParsedArgs, out: (line: string) => void): Promise<number> {
  const file = args.positionals[0];
  const weights = args.flags.get('weights');
  if (!file || typeof weights !== 'string') throw new UsageError(EVALUATE_USAGE);
  const project = loadProject(file);
  const graph = project.graph;
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(weights));
  } catch {
    throw new UsageError(`--weights ${weights}: cannot read the file`);
  }
  const { stateDict, extra, warnings } = await readCheckpoint(bytes);
  for (const w of warnings) out(`note: ${w}`);
  const loaded = loadWeights(graph, stateDict, { strict: true });
  if (!loaded.ok)
    throw new UsageError(
      `--weights ${weights} does not fit this network:\n${formatLoadReport(loaded.report)}`,
    );

  const run = await runSettingsFor(weights, extra);
  const settings: RunSettings = runSettings(run.settings ?? project.training, settingsFlags(args));
  if (run.from) out(`holdout and normalisation as trained (settings from ${run.from})`);

  const { dataset, description } = await loadData(
    typeof args.flags.get('data') === 'string' ? (args.flags.get('data') as string) : undefined,
    inputShape(graph),
  );
  const which = args.flags.get('split') ?? 'holdout';
  if (which !== 'holdout' && which !== 'all')
    throw new UsageError(`--split is holdout or all, not "${which}"`);
  const split = splitDataSet(dataset, { holdout: settings.validation_split, seed: settings.seed });
  const all = Uint32Array.from({ length: dataset.labels.length }, (_, i) => i);
  const indices = which === 'all' || split.holdout.length === 0 ? all : split.holdout;
  const normalize = settings.normalize === 'dataset' ? statsOf(dataset, split.train) : settings.normalize;

  const {
    backend,
    description: device,
    reason,
    close,
  } = await openBackend(
    typeof args.flags.get('backend') === 'string' ? (args.flags.get('backend') as string) : undefined,
  );
  out(reason);
  try {
    const evaluator = await Evaluator.create(backend, graph, settings.batch_size, indices.length);
    const values = new Map([...loaded.loaded].map(([k, t]) => [k, t.data as Float32Array | BigInt64Array]));
    // On WebGPU the images are uploaded once and each batch is scaled and normalised on the device.
    const uploaded = evaluator.uploadDataSet(dataset);
    if (uploaded && 'unfit' in uploaded) out(`note: batches are prepared on the CPU: ${uploaded.unfit}`);
    const onDevice = uploaded && !('unfit' in uploaded) ? uploaded : null;
    await onDevice?.prepare({ augment: null, normalize });
    const result = await evaluator
      .run(values, dataset, indices, { shape: dataset.shape, augment: null, normalize }, onDevice)
      .finally(() => {
        onDevice?.dispose();
        evaluator.dispose();
      });
    const what = indices === all ? 'all' : 'holdout';
    out(`${project.name} on ${description}, ${device}`);
    out(
      `accuracy ${(100 * result.accuracy).toFixed(2)}% (${result.correct} of ${result.samples} ${what} images), loss ${result.loss.toFixed(4)}`,
    );
    out(confusionText(result.confusion, dataset.classes));
    return 0;
  } finally {
    close();
  }
}
