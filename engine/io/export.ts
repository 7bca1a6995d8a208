// Export to PyTorch: a graph and its weights as a state_dict .pt, safetensors, model.py or a training checkpoint;
// without weights, PyTorch's default init drawn from the seeded generator, as a training run starts.

import type { Executor } from '../compile/backend.ts';
import type { Program } from '../compile/program.ts';
import { analyze } from '../graph/analyze.ts';
import { stateDictKeys } from '../graph/state-dict.ts';
import type { Graph } from '../graph/types.ts';
import { Random } from '../train/random.ts';
import { initialize } from '../train/state.ts';
import type { TrainingSettings } from './project/project.ts';
import { generateModelCode } from './pytorch-code/index.ts';
import { writeSafetensors } from './safetensors/index.ts';
import { hostTensor, type StateDict } from './tensor.ts';
import type { PyValue } from './torch/python-values.ts';
import { type OptimizerState, writeTrainingCheckpoint } from './torch/training-checkpoint.ts';
import { writeStateDict } from './torch/write.ts';

export const EXPORT_FORMATS = ['pt', 'safetensors', 'py', 'checkpoint'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The file name ending each format gets when the user names no file. */
export const EXPORT_EXTENSIONS: Record<ExportFormat, string> = {
  pt: '.pt',
  safetensors: '.safetensors',
  py: '.py',
  checkpoint: '.checkpoint.pt',
};

/**
 * PyTorch's default init for every state_dict entry, from `new Random(seed)`: exactly what a training run with
 * that seed starts from (engine/train/state.ts `initialize`), without compiling, so any valid graph exports.
 */
export function defaultStateDict(graph: Graph, seed: number): StateDict {
  const entries = stateDictKeys(analyze(graph));
  const values: (Float32Array | Int32Array)[] = [];
  // NOTE: initialize only reads program.state and tensor shapes and calls write: host arrays stand in for a backend.
  const host = {
    program: {
      state: entries.map((e, i) => ({
        key: e.key,
        tensor: i,
        role: e.role,
        init: e.init,
        torchDtype: e.dtype,
      })),
      tensors: entries.map((e) => ({ shape: e.shape })),
    },
    write: (id: number, data: Float32Array | Int32Array) => {
      values[id] = data;
    },
  };
  initialize(host as unknown as Executor<Program>, new Random(seed));
  const stateDict: StateDict = new Map();
  entries.forEach((e, i) => {
    const data = values[i]!;
    stateDict.set(
      e.key,
      e.dtype === 'int64'
        ? hostTensor(
            'int64',
            [...e.shape],
            BigInt64Array.from(data, (v) => BigInt(v)),
          )
        : hostTensor('float32', [...e.shape], data as Float32Array),
    );
  });
  return stateDict;
}

const PYTHON_RESERVED = new Set([
  'Model',
  'Reshape',
  'OrderedDict',
  'Path',
  'Module',
  'None',
  'True',
  'False',
]);

/** A Python class name from a project name: `LeNet-5` -> `LeNet5`, `my net (v2)` -> `MyNetV2`; `Model` if none fits. */
export function pythonClassName(name: string): string {
  const words = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f'\u2019]/g, '') // accents (é -> e) and apostrophes join their word
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  const joined = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  if (!/^[A-Za-z]/.test(joined) || PYTHON_RESERVED.has(joined)) return 'Model';
  return joined;
}

/** The optimizer a run with these settings starts with: torch's hyper-parameters, no state before the first step. */
export function freshOptimizerState(graph: Graph, training: TrainingSettings): OptimizerState {
  const parameters = stateDictKeys(analyze(graph)).filter((k) => k.role === 'parameter');
  const state = parameters.map(() => null);
  if (training.optimizer === 'sgd')
    return {
      kind: 'sgd',
      hyper: {
        lr: training.lr,
        momentum: training.momentum,
        dampening: 0,
        weight_decay: training.weight_decay,
        nesterov: false,
      },
      state,
    };
  return {
    kind: training.optimizer,
    hyper: {
      lr: training.lr,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weight_decay: training.weight_decay,
      amsgrad: false,
    },
    state,
  };
}

export interface ExportInput {
  graph: Graph;
  /** The state_dict to write (ignored by `py`). */
  weights: StateDict;
  /** model.py's class name. */
  className: string;
  /** checkpoint only: the run's settings, saved as a plain dict (unless `settings` is given). */
  training: TrainingSettings;
  /** checkpoint only: the settings dict to save instead (a checkpoint's own, carried over). */
  settings?: Record<string, PyValue>;
  /** checkpoint only: the optimizer's state; default a fresh one for `training`. */
  optimizer?: OptimizerState;
  /** checkpoint only; default 0. */
  epoch?: number;
  step?: number;
}

/** The bytes of one export file. The .pt of `pt` loads with `torch.load(path, weights_only=True)`. */
export function exportBytes(format: ExportFormat, input: ExportInput): Uint8Array {
  switch (format) {
    case 'pt':
      return writeStateDict(input.weights, { archiveName: 'model' });
    case 'safetensors':
      return writeSafetensors(input.weights, { format: 'pt' });
    case 'py':
      return new TextEncoder().encode(generateModelCode(input.graph, { className: input.className }));
    case 'checkpoint':
      return writeTrainingCheckpoint(
        {
          model: input.weights,
          optimizer: input.optimizer ?? freshOptimizerState(input.graph, input.training),
          epoch: input.epoch ?? 0,
          step: input.step ?? 0,
          // NOTE: the project's augmentation options are plain JSON (dicts, lists, numbers), so they pickle as is.
          settings: input.settings ?? ({ ...input.training } as Record<string, PyValue>),
        },
        { archiveName: 'checkpoint' },
      );
  }
}
