// What compile produces: tensors with static shapes, forward steps, the autograd tape, optimizer updates
// and the buffer plan. Plain data, so any backend (CPU reference, WebGPU) can run it.

import type { Init } from '../layers/types.ts';
import type { DType, OpAttrs, OpGrads, OpInputs, OpName, OpSaved, Shape, UpdateName } from './ops.ts';

export type TensorId = number;

export type TensorRole =
  /** The images (or feature vectors) of one batch, written before each step. */
  | 'batch'
  /** int32 class indices of one batch. */
  | 'labels'
  | 'activation'
  /** Written by a forward op only for its backward (max-pool indices, BN statistics, softmax). */
  | 'saved'
  /** Gradient of an activation: transient, lives only during backward. */
  | 'gradient'
  | 'parameter'
  | 'parameterGradient'
  /** running_mean, running_var, num_batches_tracked. */
  | 'buffer'
  | 'optimizerState'
  /** Filled once when a program is bound (the loss gradient seed, 1). */
  | 'constant'
  /** int32 (seed, step) for random ops (dropout), written before each training step. */
  | 'randomKey';

export interface TensorInfo {
  id: TensorId;
  /** Readable name: `conv1.weight`, `blk1.conv1:out`, `grad(fc1:out)`. */
  name: string;
  shape: Shape;
  dtype: DType;
  role: TensorRole;
  /** Views (flatten, reshape, and their gradients) share this tensor's memory; no copy. */
  viewOf?: TensorId;
  /** Kept for the whole run (parameters, buffers, batch, loss, ...); the rest share planned slots. */
  persistent: boolean;
  /** The state_dict key of a parameter or buffer (and of a parameter's gradient). */
  key?: string;
}

export interface ForwardStep<K extends OpName = OpName> {
  op: K;
  attrs: OpAttrs[K];
  inputs: OpInputs<TensorId>[K];
  output: TensorId;
  saved: OpSaved<TensorId>[K];
  /** The graph node this op was lowered from. */
  node: string;
}

/** A gradient a backward op writes: the first contribution overwrites, later ones add (`+=`). */
export interface GradTarget {
  tensor: TensorId;
  accumulate: boolean;
}

export interface BackwardStep<K extends OpName = OpName> extends ForwardStep<K> {
  /** Index of the forward step in `Program.forward`. */
  forward: number;
  gradOutput: TensorId;
  grads: OpGrads<GradTarget>[K];
}

export type AnyForwardStep = { [K in OpName]: ForwardStep<K> }[OpName];
export type AnyBackwardStep = { [K in OpName]: BackwardStep<K> }[OpName];

/** One optimizer update: a parameter, its gradient and its optimizer state (see UPDATE_STATE). */
export interface UpdateStep {
  key: string;
  param: TensorId;
  grad: TensorId;
  state: Readonly<Record<string, TensorId>>;
}

/** One entry of the model's state_dict, in PyTorch's order. */
export interface StateTensor {
  key: string;
  tensor: TensorId;
  role: 'parameter' | 'buffer';
  init: Init;
  /** PyTorch's dtype; `int64` entries are held as int32 (see DType). */
  torchDtype: 'float32' | 'int64';
}

/** Memory for the transient tensors: a few slots reused by liveness. */
export interface BufferPlan {
  /** Byte size of each slot; a backend makes one buffer per slot. */
  slots: number[];
  /** Slot of each tensor by id; -1 for persistent tensors (each has its own buffer). Views share their base's. */
  slotOf: number[];
  /** Sum of the slot sizes. */
  plannedBytes: number;
  /** What one buffer per transient tensor would take. */
  naiveBytes: number;
  /** Parameters, gradients, buffers, optimizer state, batch and outputs. */
  persistentBytes: number;
}

/** What a backend runs: tensors, steps and the plan. */
export interface ProgramCore {
  tensors: TensorInfo[];
  forward: AnyForwardStep[];
  /** The autograd tape: backward ops in reverse order of the forward. */
  backward: AnyBackwardStep[];
  optimizer: UpdateName | null;
  updates: UpdateStep[];
  constants: { tensor: TensorId; value: number }[];
  plan: BufferPlan;
}

/** A compiled network. */
export interface Program extends ProgramCore {
  /** 'train' programs have a tape and can also run forward in eval mode; 'eval' programs only infer. */
  mode: 'train' | 'eval';
  batchSize: number;
  state: StateTensor[];
  batch: TensorId;
  labels: TensorId;
  logits: TensorId;
  loss: TensorId;
  /** int32 count of correct predictions in the batch. */
  correct: TensorId;
  /** Output tensor of each lowered graph node (transient unless kept at compile time). */
  nodeOutputs: ReadonlyMap<string, TensorId>;
  /**
   * int32 (seed, step) that random ops (dropout) draw from: write randomKeyData(seed, step) (op-numerics.ts) before
   * each training step, a new step each time, or every step draws the same mask. null when nothing draws.
   */
  randomKey: TensorId | null;
}

/** The tensor whose memory `id` uses (itself unless it is a view). */
export function storageOf(program: { tensors: readonly TensorInfo[] }, id: TensorId): TensorId {
  let t = program.tensors[id]!;
  while (t.viewOf !== undefined) t = program.tensors[t.viewOf]!;
  return t.id;
}

export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Every tensor id in a step's named inputs, saved tensors or gradients, in declaration order. */
export function idsOf(record: object): TensorId[] {
  const ids: TensorId[] = [];
  for (const value of Object.values(record)) {
    if (typeof value === 'number') ids.push(value);
    else if (Array.isArray(value)) {
      for (const v of value)
        if (v !== undefined) ids.push(typeof v === 'number' ? v : (v as GradTarget).tensor);
    } else if (value && typeof value === 'object') ids.push((value as GradTarget).tensor);
  }
  return ids;
}
