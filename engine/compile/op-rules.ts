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
