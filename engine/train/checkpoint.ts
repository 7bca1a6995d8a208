// A training run's full state at one moment (weights, optimizer state, position in the data, generator state,
// history) and its files: the training checkpoint .pt (torch.load(..., weights_only=False)) and model.pt.

import { isHostTensor, type StateDict } from '../io/tensor.ts';
import { PyFloat, type PyKey, PyOrderedDict, PyTuple, type PyValue } from '../io/torch/python-values.ts';
import { readCheckpoint } from '../io/torch/read.ts';
import { type OptimizerState, optimizerStateDict } from '../io/torch/training-checkpoint.ts';
import { writeCheckpoint, writeStateDict } from '../io/torch/write.ts';
import { TrainingError } from './errors.ts';
import { type EpochMetrics, epochFromRecord, epochRecord } from './metrics.ts';
import { optimizerStateFromPython } from './optimizer-state.ts';
import { type RunSettings, settingsFromJson } from './settings.ts';

export const CHECKPOINT_FORMAT = 'neurocanvas-training-checkpoint';

/** Why a snapshot was taken. `nonFinite`: the weights before the step whose loss was NaN or infinite. */
export type SnapshotReason = 'epoch' | 'final' | 'nonFinite' | 'stopped';

/**
 * Where the run's generator streams stood at the start of epoch `epoch` (xoshiro128** words). The epoch's order
 * and augmentation keys are drawn from there, so a mid-epoch snapshot replays them and skips what was done.
 */
export interface GeneratorState {
  shuffle: number[];
  augment: number[];
}

/** The part of the current epoch already trained (all zero at an epoch boundary). */
export interface EpochProgress {
  steps: number;
  lossSum: number;
  correct: number;
  samples: number;
}

export interface TrainingSnapshot {
  reason: SnapshotReason;
  /** Epochs completed. */
  epoch: number;
  /** Optimizer steps taken. */
  step: number;
  progress: EpochProgress;
  model: StateDict;
  optimizer: OptimizerState;
  /** The run's settings, normalisation resolved to numbers. */
  settings: RunSettings;
  generator: GeneratorState;
  /** Every completed epoch's metrics. */
  history: EpochMetrics[];
  /** Which data it was trained on (count, shape, classes and a hash of every byte): resuming checks it. */
  data: string;
}

/** JSON-like values to Python values (objects become dicts; undefined members are left out). */
function toPython(value: unknown): PyValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : new PyFloat(value);
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map(toPython);
  if (typeof value === 'object') {
    const out = new Map<PyKey, PyValue>();
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out.set(k, toPython(v));
    return out;
  }
  throw new TrainingError(`cannot save ${typeof value} in a checkpoint`);
}

/** Python values read back to JSON-like ones (dicts become objects, tuples arrays); tensors stay tensors. */
export function fromPython(value: PyValue): unknown {
  if (value instanceof PyFloat) return value.value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof PyTuple) return value.items.map(fromPython);
  if (Array.isArray(value)) return value.map(fromPython);
  if (isHostTensor(value) || value === null || typeof value !== 'object') return value;
  const entries = value instanceof PyOrderedDict ? value.entries : value instanceof Map ? value : null;
  if (!entries) return value;
  return Object.fromEntries([...entries].map(([k, v]) => [String(k), fromPython(v)]));
}

/**
 * The training checkpoint: `{'model', 'optimizer', 'epoch', 'step', 'settings', 'generator', 'epoch_progress',
 * 'history', 'format', 'reason'}`, with the model and optimizer in PyTorch's own layout (what
 * writeTrainingCheckpoint writes, plus what exact resuming needs).
 */
export function encodeTrainingCheckpoint(s: TrainingSnapshot): Uint8Array {
  const value = new Map<PyKey, PyValue>([
    ['model', new PyOrderedDict(new Map(s.model))],
    ['optimizer', optimizerStateDict(s.optimizer)],
    ['epoch', s.epoch],
    ['step', s.step],
    ['settings', toPython(s.settings)],
    ['generator', toPython({ algorithm: 'xoshiro128**', seed: s.settings.seed, ...s.generator })],
    [
      'epoch_progress',
      toPython({
        steps: s.progress.steps,
        loss_sum: s.progress.lossSum,
        correct: s.progress.correct,
        samples: s.progress.samples,
      }),
    ],
    ['history', toPython(s.history.map(epochRecord))],
    ['data', s.data],
    ['format', CHECKPOINT_FORMAT],
    ['reason', s.reason],
  ]);
  return writeCheckpoint(value, { archiveName: 'checkpoint' });
}

/** model.pt: the plain state_dict, loadable with torch.load(path, weights_only=True). */
export function encodeModel(s: Pick<TrainingSnapshot, 'model'>): Uint8Array {
  return writeStateDict(s.model, { archiveName: 'model' });
}

/** Reads a training checkpoint NeuroCanvas wrote back into a snapshot; a clear error for anything else. */
export async function decodeTrainingCheckpoint(bytes: Uint8Array): Promise<TrainingSnapshot> {
  const { stateDict, extra } = await readCheckpoint(bytes);
  if (extra.get('format') !== CHECKPOINT_FORMAT)
    throw new TrainingError(
      'this is not a NeuroCanvas training checkpoint (checkpoint.pt); a plain state_dict can start a run (--init) but not resume one',
    );
  const settings = settingsFromJson(fromPython(extra.get('settings') ?? null));
  const generator = fromPython(extra.get('generator') ?? null) as Partial<GeneratorState> | null;
  const progress = fromPython(extra.get('epoch_progress') ?? null) as Record<string, number> | null;
  const history = fromPython(extra.get('history') ?? null);
  if (!generator?.shuffle || !generator.augment || !progress || !Array.isArray(history))
    throw new TrainingError(
      'the training checkpoint is incomplete (generator state, epoch progress or history missing)',
    );
  return {
    reason: String(extra.get('reason') ?? 'epoch') as SnapshotReason,
    epoch: Number(extra.get('epoch')),
    step: Number(extra.get('step')),
    progress: {
      steps: progress.steps ?? 0,
      lossSum: progress.loss_sum ?? 0,
      correct: progress.correct ?? 0,
      samples: progress.samples ?? 0,
    },
    model: stateDict,
    optimizer: optimizerStateFromPython(extra.get('optimizer') ?? null, settings.optimizer),
    settings,
    generator: { shuffle: generator.shuffle, augment: generator.augment },
    history: history.map((r) => epochFromRecord(r as Record<string, unknown>)),
    data: String(extra.get('data') ?? ''),
  };
}
