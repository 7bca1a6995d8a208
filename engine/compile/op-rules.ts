// The runtime half of the op catalogue: per op, its shape rule, saved tensors, which inputs get gradients
// and what its backward reads (which the buffer plan uses to keep exactly those tensors alive).

import { poolOut, windowOut } from '../layers/shapes.ts';
import type {
  AvgPool2dAttrs,
  DType,
  MaxPool2dAttrs,
  OpAttrs,
  OpGrads,
  OpInputs,
  OpName,
  OpSaved,
  Pair,
  Shape,
} from './ops.ts';

export interface SavedSpec {
  shape: Shape;
  dtype: DType;
}

/** What compile and the tape need to know about an op, beyond its kernels. */
export interface OpRule<K extends OpName> {
  /** Output shape (batch included) from input shapes; throws on shapes the op cannot take. */
  output(attrs: OpAttrs[K], inputs: OpInputs<Shape>[K]): Shape;
  outputDtype: DType;
  /** Inputs that are not float32 (class labels, counters); every other input is float32. */
  intInputs?: readonly (keyof OpInputs<unknown>[K])[];
  saved(
    attrs: OpAttrs[K],
    inputs: OpInputs<Shape>[K],
    output: Shape,
  ): { [S in keyof OpSaved<unknown>[K]]: SavedSpec };
  /** Inputs that receive gradients; `xs` means every element. */
  differentiable: readonly (keyof OpGrads<unknown>[K])[];
  /** Inputs the backward reads (it always reads its saved tensors and the output gradient). */
  backwardReads: readonly (keyof OpInputs<unknown>[K])[];
  backwardReadsOutput: boolean;
}

const none = () => ({}) as Record<string, never>;

function spatial(x: Shape, op: string): [number, number, number, number] {
  if (x.length !== 4) throw new Error(`${op} needs an (N, C, H, W) input, got (${x.join(', ')})`);
  return x as unknown as [number, number, number, number];
}

function poolShape(x: Shape, a: MaxPool2dAttrs | AvgPool2dAttrs, dilation: Pair, op: string): Shape {
  const [n, c, h, w] = spatial(x, op);
  return [
    n,
    c,
    poolOut(h, a.kernelSize[0], a.stride[0], a.padding[0], dilation[0], a.ceilMode),
    poolOut(w, a.kernelSize[1], a.stride[1], a.padding[1], dilation[1], a.ceilMode),
  ];
}

/** Optional inputs must be given exactly when the attribute that announces them is set. */
function present(op: string, input: string, expected: boolean, value: unknown): void {
  if (expected !== (value !== undefined))
    throw new Error(`${op}: input ${input} ${expected ? 'is missing' : 'is given but its flag is off'}`);
}

function sameShapes(xs: readonly Shape[], op: string): Shape {
  const first = xs[0];
  if (!first) throw new Error(`${op} needs at least one input`);
  for (const s of xs)
    if (s.length !== first.length || s.some((d, i) => d !== first[i]))
      throw new Error(`${op} inputs differ in shape: (${first.join(', ')}) and (${s.join(', ')})`);
  return first;
}

/** The runtime half of the catalogue: one rule per op. */
export const OPS: { readonly [K in OpName]: OpRule<K> } = {
  conv2d: {
    output(a, { x, weight, bias }) {
      present('conv2d', 'bias', a.bias, bias);
      const [n, , h, w] = spatial(x, 'conv2d');
      const [o, , kh, kw] = weight as [number, number, number, number];
      return [
        n,
        o,
        windowOut(h, kh, a.stride[0], a.padding[0], a.dilation[0]),
        windowOut(w, kw, a.stride[1], a.padding[1], a.dilation[1]),
      ];
    },
    outputDtype: 'float32',
    saved: none,
    differentiable: ['x', 'weight', 'bias'],
    backwardReads: ['x', 'weight'],
    backwardReadsOutput: false,
  },
  conv_transpose2d: {
    output(a, { x, weight, bias }) {
      present('conv_transpose2d', 'bias', a.bias, bias);
      const [n, c, h, w] = spatial(x, 'conv_transpose2d');
      const [ci, og, kh, kw] = weight as [number, number, number, number];
      if (ci !== c) throw new Error(`conv_transpose2d: weight is for ${ci} input channels, ${c} arrive`);
      const size = (i: 0 | 1, extent: number, k: number) =>
        (extent - 1) * a.stride[i] - 2 * a.padding[i] + a.dilation[i] * (k - 1) + a.outputPadding[i] + 1;
      return [n, og * a.groups, size(0, h, kh), size(1, w, kw)];
    },
    outputDtype: 'float32',
    saved: none,
    differentiable: ['x', 'weight', 'bias'],
    backwardReads: ['x', 'weight'],
    backwardReadsOutput: false,
  },
  linear: {
    output(a, { x, weight, bias }) {
      present('linear', 'bias', a.bias, bias);
      return [x[0]!, weight[0]!];
    },
    outputDtype: 'float32',
    saved: none,
    differentiable: ['x', 'weight', 'bias'],
    backwardReads: ['x', 'weight'],
    backwardReadsOutput: false,
  },
  max_pool2d: {
    output: (a, { x }) => poolShape(x, a, a.dilation, 'max_pool2d'),
    outputDtype: 'float32',
    saved: (_a, _i, output) => ({ indices: { shape: output, dtype: 'int32' } }),
    differentiable: ['x'],
    backwardReads: [],
    backwardReadsOutput: false,
  },
  avg_pool2d: {
    output: (a, { x }) => poolShape(x, a, [1, 1], 'avg_pool2d'),
    outputDtype: 'float32',
    saved: none,
    differentiable: ['x'],
    backwardReads: [],
    backwardReadsOutput: false,
  },
  adaptive_avg_pool2d: {
    output(a, { x }) {
      const [n, c] = spatial(x, 'adaptive_avg_pool2d');
      return [n, c, a.outputSize[0], a.outputSize[1]];
    },
    outputDtype: 'float32',
    saved: none,
    differentiable: ['x'],
    backwardReads: [],
    backwardReadsOutput: false,
  },
  batch_norm: {
    output(a, inputs) {
      const { x } = inputs;
      if (x.length < 2 || x.length > 4)
        throw new Error(`batch_norm needs (N, C, ...), got (${x.join(', ')})`);
      for (const name of ['weight', 'bias'] as const) present('batch_norm', name, a.affine, inputs[name]);
      for (const name of ['running_mean', 'running_var', 'num_batches_tracked'] as const)
        present('batch_norm', name, a.trackRunningStats, inputs[name]);
      return x;
    },
    outputDtype: 'float32',
    saved: (_a, { x }) => ({
      mean: { shape: [x[1]!], dtype: 'float32' },
      invstd: { shape: [x[1]!], dtype: 'float32' },
    }),
    intInputs: ['num_batches_tracked'],
    differentiable: ['x', 'weight', 'bias'],
    backwardReads: ['x', 'weight'],
    backwardReadsOutput: false,
  },
  relu: {
    output: (_a, { x }) => x,
    outputDtype: 'float32',
    saved: none,
    differentiable: ['x'],
    backwardReads: [],
    backwardReadsOutput: true,
  },
  sigmoid: {
    output: (_a, { x }) => x,
    outputDtype: 'float32',
    saved: none,
    differentiable: ['x'],
    backwardReads: [],
    backwardReadsOutput: true,
  },
  tanh: {
    output: (_a, { x }) => x,
    outputDtype: 'float32',
    saved: none,
    differentiable: ['x'],
    backwardReads: [],
    backwardReadsOutput: true,
  },
  leaky_relu: {
    output: (_a, { x }) => x,
    outputDtype: 'float32',
    saved: none,
    differentiable: ['x'],
    backwardReads: ['x'],
    backwardReadsOutput: false,
  },
  softmax: {
    output(_a, { x }) {
      if (x.length < 2) throw new Error(`softmax needs (N, C, ...), got (${x.join(', ')})`);
      return x;
    },
    outputDtype: 'float32',
    saved: none,
    differentiable: ['x'],
    backwardReads: [],
    backwardReadsOutput: true,
  },
  upsample: {
    output(a, { x }) {
      const [n, c] = spatial(x, 'upsample');
      if (!(a.size[0] >= 1 && a.size[1] >= 1)) throw new Error(`upsample size (${a.size.join(', ')})`);
      return [n, c, a.size[0], a.size[1]];
    },
    outputDtype: 'float32',
    saved: none,
    differentiable: ['x'],
    backwardReads: [],
    backwardReadsOutput: false,
  },
  add: {
    output: (_a, { xs }) => sameShapes(xs, 'add'),
    outputDtype: 'float32',
    saved: none,
    differentiable: ['xs'],
    backwardReads: [],
    backwardReadsOutput: false,
  },
  concat: {
    output(_a, { xs }) {
      const first = xs[0]!;
      sameShapes(
        xs.map((s) => [s[0]!, 0, ...s.slice(2)]),
        'concat',
      );
      return [first[0]!, xs.reduce((sum, s) => sum + s[1]!, 0), ...first.slice(2)];
    },
    outputDtype: 'float32',
    saved: none,
    differentiable: ['xs'],
    backwardReads: [],
    backwardReadsOutput: false,
  },
  dropout: {
    output: (_a, { x, key }) => {
      if (key.length !== 1 || key[0] !== 2)
        throw new Error(`dropout's key must have shape (2), got (${key.join(', ')})`);
      return x;
    },
    outputDtype: 'float32',
    intInputs: ['key'],
    saved: none,
    differentiable: ['x'],
    backwardReads: ['key'],
    backwardReadsOutput: false,
  },
  cross_entropy: {
    output: () => [1],
    outputDtype: 'float32',
    intInputs: ['labels'],
    saved: (a, { logits }) => {
      if (a.classWeights && a.classWeights.length !== logits[1])
        throw new Error(`cross_entropy: ${a.classWeights.length} class weights for ${logits[1]} classes`);
      return { probs: { shape: logits, dtype: 'float32' }, weightSum: { shape: [1], dtype: 'float32' } };
    },
    differentiable: ['logits'],
    backwardReads: ['labels'],
    backwardReadsOutput: false,
  },
  accuracy: {
    output: () => [1],
    outputDtype: 'int32',
    intInputs: ['labels'],
    saved: none,
    differentiable: [],
    backwardReads: [],
    backwardReadsOutput: false,
  },
};

export const OP_NAMES = Object.keys(OPS) as OpName[];

/** Upsample along one axis: output o reads input i0[o] with weight l0[o] plus input i1[o] with weight l1[o]. */
export interface UpsampleTaps {
  i0: Int32Array;
  i1: Int32Array;
  l0: Float32Array;
  l1: Float32Array;
}

/**
 * Upsample's taps along one axis, in float32 as PyTorch's CPU kernels compute them (area_pixel_compute_scale,
 * area_pixel_compute_source_index, nearest_idx), so both backends pick the same source pixels.
 * `scale` is the user's scale factor or null when a size was given.
 */
export function upsampleTaps(
  mode: 'nearest' | 'bilinear',
  inSize: number,
  outSize: number,
  scale: number | null,
  alignCorners: boolean,
): UpsampleTaps {
  const f = Math.fround;
  const taps: UpsampleTaps = {
    i0: new Int32Array(outSize),
    i1: new Int32Array(outSize),
    l0: new Float32Array(outSize),
    l1: new Float32Array(outSize),
  };
  // NOTE: a given scale sets the ratio (1 / scale) unless align_corners; otherwise it comes from the sizes.
  const ratio = alignCorners
    ? outSize > 1
      ? f((inSize - 1) / (outSize - 1))
      : 0
    : scale !== null && scale > 0
      ? f(1 / scale)
      : f(inSize / outSize);
  for (let o = 0; o < outSize; o++) {
    if (mode === 'nearest') {
      // nearest_idx: the exact halving fast path when the output is twice the input, else floor(o * ratio)
      const i = outSize === 2 * inSize ? o >> 1 : Math.min(Math.floor(f(o * ratio)), inSize - 1);
      taps.i0[o] = i;
      taps.i1[o] = i;
      taps.l0[o] = 1;
      taps.l1[o] = 0;
      continue;
    }
    const real = alignCorners ? f(ratio * o) : Math.max(f(f(ratio * f(o + 0.5)) - 0.5), 0);
    const i = Math.min(Math.trunc(real), inSize - 1);
    const lambda = Math.min(Math.max(f(real - i), 0), 1);
    taps.i0[o] = i;
    taps.i1[o] = i < inSize - 1 ? i + 1 : i;
    taps.l1[o] = lambda;
    taps.l0[o] = f(1 - lambda);
  }
  return taps;
}

/** Per input index, the half-open range of outputs whose taps read it (taps are monotone, so it is one range). */
export function upsampleReaders(taps: UpsampleTaps, inSize: number): { lo: Int32Array; hi: Int32Array } {
  const lo = new Int32Array(inSize).fill(taps.i0.length);
  const hi = new Int32Array(inSize);
  for (let o = 0; o < taps.i0.length; o++)
    for (const i of [taps.i0[o]!, taps.i1[o]!]) {
      lo[i] = Math.min(lo[i]!, o);
      hi[i] = Math.max(hi[i]!, o + 1);
    }
  for (let i = 0; i < inSize; i++) if (hi[i] === 0) lo[i] = 0;
  return { lo, hi };
}

// The dropout draw, the same bits on every backend (u32 arithmetic only, so a WGSL kernel ports it line by line):
//   step key  k    = hash32(seed ^ hash32(step ^ hash32(stream)))        once per op and step
//   bits      b(i) = hash32(hash32(i ^ k) + k)                           i = flat index over (N, ...), mod 2^32
//   dropped        = (b(i) >>> 8) < round(p * 2^24)                      24 bits, so p = 1 drops every value
//   y(i)           = x(i) * m(i), m(i) = dropped ? 0 : float32(1 / (1 - p))   backward: dx(i) += dy(i) * m(i)
// `seed` and `step` are the program's random key (Program.randomKey), written before each training step.

/** lowbias32 (Wellons' hash-prospector): a 32-bit integer hash with full avalanche; returns an unsigned value. */
export function hash32(value: number): number {
  let x = value | 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** FNV-1a over a layer's module path: the `stream` that gives each random op its own numbers. */
export function randomStream(path: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < path.length; i++) h = Math.imul(h ^ path.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** What to write into Program.randomKey before a training step: int32 (seed, step), as u32 bit patterns. */
export function randomKeyData(seed: number, step: number): Int32Array {
  return Int32Array.of(seed | 0, step | 0);
}

/** The dropout key of one op at one step (see the draw above). */
export function dropoutStepKey(seed: number, step: number, stream: number): number {
  return hash32(seed ^ hash32(step ^ hash32(stream)));
}

/** The 32 random bits of element `index` under a step key. */
export function dropoutBits(stepKey: number, index: number): number {
  return hash32((hash32(index ^ stepKey) + stepKey) | 0);
}

/** Elements whose `bits >>> 8` fall below this are dropped: round(p * 2^24). */
export function dropoutThreshold(p: number): number {
  return Math.min(2 ** 24, Math.max(0, Math.round(p * 2 ** 24)));
}

/** What kept values are multiplied by: float32(1 / (1 - p)), and 0 when p = 1 (everything is dropped). */
export function dropoutScale(p: number): number {
  return p >= 1 ? 0 : Math.fround(1 / (1 - p));
}
