// A full training checkpoint as PyTorch scripts save one: model state_dict, optimizer state_dict, epoch, step.

import { float32Tensor, type HostTensor, type StateDict } from '../tensor.ts';
import { PyFloat, type PyKey, PyOrderedDict, PyTuple, type PyValue } from './python-values.ts';
import { type WriteOptions, writeCheckpoint } from './write.ts';

export interface AdamHyperParameters {
  lr: number;
  betas: [number, number];
  eps: number;
  weight_decay: number;
  amsgrad: boolean;
}

export interface SgdHyperParameters {
  lr: number;
  momentum: number;
  dampening: number;
  weight_decay: number;
  nesterov: boolean;
}

/** Adam's per-parameter state; `step` becomes a float32 scalar tensor, as torch 1.13 keeps it. */
export interface AdamParameterState {
  step: number;
  exp_avg: HostTensor;
  exp_avg_sq: HostTensor;
  /** Only with amsgrad. */
  max_exp_avg_sq?: HostTensor;
}

/** SGD's per-parameter state; the buffer is null when momentum is 0 (torch stores None then). */
export interface SgdParameterState {
  momentum_buffer: HostTensor | null;
}

/**
 * One optimizer over one parameter group. `state[i]` belongs to the i-th parameter in `model.parameters()`
 * order (parameters only, no buffers); null means the parameter has no state yet (before the first step).
 */
export type OptimizerState =
  | { kind: 'adam' | 'adamw'; hyper: AdamHyperParameters; state: (AdamParameterState | null)[] }
  | { kind: 'sgd'; hyper: SgdHyperParameters; state: (SgdParameterState | null)[] };

export interface TrainingCheckpoint {
  model: StateDict;
  optimizer: OptimizerState;
  epoch: number;
  step: number;
  /** The run's settings (optimizer name, batch size, seed, ...), saved as a plain dict. */
  settings: Record<string, PyValue>;
}

/** PyTorch's `optimizer.state_dict()`: {'state': {index: {...}}, 'param_groups': [{..., 'params': [0, 1, ...]}]}. */
export function optimizerStateDict(optimizer: OptimizerState): Map<PyKey, PyValue> {
  const state = new Map<PyKey, PyValue>();
  optimizer.state.forEach((entry, index) => {
    if (!entry) return;
    if ('exp_avg' in entry) {
      const values = new Map<PyKey, PyValue>([
        ['step', float32Tensor([], [entry.step])],
        ['exp_avg', entry.exp_avg],
        ['exp_avg_sq', entry.exp_avg_sq],
      ]);
      if (entry.max_exp_avg_sq) values.set('max_exp_avg_sq', entry.max_exp_avg_sq);
      state.set(index, values);
    } else state.set(index, new Map([['momentum_buffer', entry.momentum_buffer]]));
  });
  const group = new Map<PyKey, PyValue>(Object.entries(paramGroup(optimizer)));
  group.set(
    'params',
    optimizer.state.map((_, index) => index),
  );
  return new Map<PyKey, PyValue>([
    ['state', state],
    ['param_groups', [group]],
  ]);
}

/**
 * The hyper-parameters in torch 1.13's key order and types (lr, eps and betas are floats; integer-valued
 * others stay ints, as torch's defaults are). Newer torch fills in keys it added when it loads them.
 */
function paramGroup(optimizer: OptimizerState): Record<string, PyValue> {
  if (optimizer.kind === 'sgd') {
    const h = optimizer.hyper;
    return {
      lr: new PyFloat(h.lr),
      momentum: h.momentum,
      dampening: h.dampening,
      weight_decay: h.weight_decay,
      nesterov: h.nesterov,
      maximize: false,
      foreach: null,
      differentiable: false,
    };
  }
  const h = optimizer.hyper;
  const common = {
    lr: new PyFloat(h.lr),
    betas: new PyTuple([new PyFloat(h.betas[0]), new PyFloat(h.betas[1])]),
    eps: new PyFloat(h.eps),
    weight_decay: h.weight_decay,
    amsgrad: h.amsgrad,
  };
  if (optimizer.kind === 'adamw') return { ...common, foreach: null, maximize: false, capturable: false };
  return {
    ...common,
    maximize: false,
    foreach: null,
    capturable: false,
    differentiable: false,
    fused: false,
  };
}

/**
 * `torch.save({'model': ..., 'optimizer': ..., 'epoch': ..., 'step': ..., 'settings': ...}, path)`.
 * NOTE: it holds Python floats, so torch 1.13 needs `torch.load(path, weights_only=False)`.
 */
export function writeTrainingCheckpoint(
  checkpoint: TrainingCheckpoint,
  options: WriteOptions = {},
): Uint8Array {
  const value = new Map<PyKey, PyValue>([
    ['model', new PyOrderedDict(new Map(checkpoint.model))],
    ['optimizer', optimizerStateDict(checkpoint.optimizer)],
    ['epoch', checkpoint.epoch],
    ['step', checkpoint.step],
    ['settings', checkpoint.settings],
  ]);
  return writeCheckpoint(value, options);
}
