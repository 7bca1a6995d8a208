// The catalogue of primitive ops: each op's name, attributes, inputs, saved tensors and gradients (and the
// optimizer updates'), declared once and read by compile, the tape and every backend (CPU, WebGPU).
// Shape rules and what backward reads are in op-rules.ts.

export type Pair = readonly [number, number];
/** A tensor shape with the batch dimension: (N, C, H, W) for images, (N, F) for vectors. */
export type Shape = readonly number[];
/** Element types on every backend. NOTE: PyTorch's int64 (labels, num_batches_tracked) is int32 here. */
export type DType = 'float32' | 'int32';

export interface Conv2dAttrs {
  stride: Pair;
  padding: Pair;
  dilation: Pair;
  groups: number;
  bias: boolean;
}
/**
 * torch.nn.ConvTranspose2d: the adjoint of a conv2d with the same window (its input gradient), weight
 * (C_in, C_out / groups, KH, KW); output size (H - 1) * stride - 2 * padding + dilation * (KH - 1) +
 * output_padding + 1.
 */
export interface ConvTranspose2dAttrs {
  stride: Pair;
  padding: Pair;
  outputPadding: Pair;
  dilation: Pair;
  groups: number;
  bias: boolean;
}
/** y = x W^T + b */
export interface LinearAttrs {
  bias: boolean;
}
export interface MaxPool2dAttrs {
  kernelSize: Pair;
  stride: Pair;
  padding: Pair;
  dilation: Pair;
  ceilMode: boolean;
}
export interface AvgPool2dAttrs {
  kernelSize: Pair;
  stride: Pair;
  padding: Pair;
  ceilMode: boolean;
  countIncludePad: boolean;
}
export interface AdaptiveAvgPool2dAttrs {
  outputSize: Pair;
}
/**
 * Batch statistics in training (or always, without running stats), running statistics in eval mode.
 * In training the running stats update with `momentum` and the UNBIASED batch variance, and
 * num_batches_tracked += 1. Works on (N, C), (N, C, L) and (N, C, H, W).
 */
export interface BatchNormAttrs {
  eps: number;
  momentum: number;
  affine: boolean;
  trackRunningStats: boolean;
}
/**
 * torch.nn.Dropout. Training: each value is kept with probability 1 - p and scaled by 1 / (1 - p), or zeroed
 * (p = 1 zeroes all); eval mode copies. The mask is a counter-based draw (op-numerics.ts, the
 * same on every backend) from the program's random key (seed, step) and this op's `stream`, so backward
 * redraws the same mask instead of saving it.
 */
export interface DropoutAttrs {
  p: number;
  /** A 32-bit hash of the layer's module path: each Dropout layer draws its own mask. */
  stream: number;
}
/**
 * Mean cross-entropy over the batch, from logits, with optional label smoothing and class weights. With
 * weights w it is PyTorch's weighted mean: sum_n [(1 - eps) w_y(n) (-log p_n,y(n)) + (eps / K) sum_k w_k
 * (-log p_n,k)] / sum_n w_y(n).
 */
export interface CrossEntropyAttrs {
  labelSmoothing: number;
  /** One weight per class (torch's `weight=`); absent: every class weighs 1. */
  classWeights?: readonly number[];
}
/** torch.nn.LeakyReLU: x for x > 0, else negative_slope * x (backward: the same choice on x). */
export interface LeakyReluAttrs {
  negativeSlope: number;
}
/**
 * torch.nn.Upsample (or F.interpolate) on (N, C, H, W) to `size`. `scale` is the user's scale factor, or null
 * when a size was given: as in PyTorch, a given scale sets the source-index ratio (1 / scale) when
 * align_corners is false; otherwise the ratio comes from the sizes.
 */
export interface UpsampleAttrs {
  mode: 'nearest' | 'bilinear';
  size: Pair;
  scale: Pair | null;
  alignCorners: boolean;
}
export type NoAttrs = Record<string, never>;

/** Attributes by op name: the one place each op's name and attribute type are declared. */
export interface OpAttrs {
  conv2d: Conv2dAttrs;
  conv_transpose2d: ConvTranspose2dAttrs;
  linear: LinearAttrs;
  max_pool2d: MaxPool2dAttrs;
  avg_pool2d: AvgPool2dAttrs;
  adaptive_avg_pool2d: AdaptiveAvgPool2dAttrs;
  batch_norm: BatchNormAttrs;
  relu: NoAttrs;
  /** 1 / (1 + e^-x). */
  sigmoid: NoAttrs;
  tanh: NoAttrs;
  leaky_relu: LeakyReluAttrs;
  /** Softmax along dimension 1 (features of (N, F), channels of (N, C, ...)). */
  softmax: NoAttrs;
  upsample: UpsampleAttrs;
  /** Sum of n inputs of one shape. */
  add: NoAttrs;
  /** Concatenation along dimension 1 (channels or features). */
  concat: NoAttrs;
  dropout: DropoutAttrs;
  cross_entropy: CrossEntropyAttrs;
  /** Number of samples whose argmax (first maximum) equals the label; no gradient. */
  accuracy: NoAttrs;
}
export type OpName = keyof OpAttrs;

/** Inputs by op name; `T` is a tensor handle (a tensor id in programs, a typed array in a backend). */
export interface OpInputs<T> {
  conv2d: { x: T; weight: T; bias?: T };
  conv_transpose2d: { x: T; weight: T; bias?: T };
  linear: { x: T; weight: T; bias?: T };
  max_pool2d: { x: T };
  avg_pool2d: { x: T };
  adaptive_avg_pool2d: { x: T };
  /** Running stats and the counter are updated in place during training forward. */
  batch_norm: { x: T; weight?: T; bias?: T; running_mean?: T; running_var?: T; num_batches_tracked?: T };
  relu: { x: T };
  sigmoid: { x: T };
  tanh: { x: T };
  leaky_relu: { x: T };
  softmax: { x: T };
  upsample: { x: T };
  add: { xs: readonly T[] };
  concat: { xs: readonly T[] };
  /** key: the program's int32 random key (seed, step), shape (2). */
  dropout: { x: T; key: T };
  /** labels: int32 class indices, shape (N). */
  cross_entropy: { logits: T; labels: T };
  accuracy: { logits: T; labels: T };
}

/** Tensors forward writes for backward, beyond its inputs and output. */
export interface OpSaved<T> {
  conv2d: Record<string, never>;
  conv_transpose2d: Record<string, never>;
  linear: Record<string, never>;
  /** Flat index (h * W + w) of each output's maximum within its input plane, int32, output shape. */
  max_pool2d: { indices: T };
  avg_pool2d: Record<string, never>;
  adaptive_avg_pool2d: Record<string, never>;
  /** The mean and 1/sqrt(var + eps) used to normalise, per channel (batch or running, by mode). */
  batch_norm: { mean: T; invstd: T };
  relu: Record<string, never>;
  sigmoid: Record<string, never>;
  tanh: Record<string, never>;
  leaky_relu: Record<string, never>;
  softmax: Record<string, never>;
  upsample: Record<string, never>;
  add: Record<string, never>;
  concat: Record<string, never>;
  /** Nothing: backward redraws the mask from the key. */
  dropout: Record<string, never>;
  /** softmax(logits), (N, K), and the loss's denominator sum_n w_y(n) (N without class weights), (1). */
  cross_entropy: { probs: T; weightSum: T };
  accuracy: Record<string, never>;
}

/** Gradients backward writes, one per differentiable input; absent where nothing needs it. */
export interface OpGrads<T> {
  conv2d: { x?: T; weight?: T; bias?: T };
  conv_transpose2d: { x?: T; weight?: T; bias?: T };
  linear: { x?: T; weight?: T; bias?: T };
  max_pool2d: { x?: T };
  avg_pool2d: { x?: T };
  adaptive_avg_pool2d: { x?: T };
  batch_norm: { x?: T; weight?: T; bias?: T };
  relu: { x?: T };
  sigmoid: { x?: T };
  tanh: { x?: T };
  leaky_relu: { x?: T };
  softmax: { x?: T };
  upsample: { x?: T };
  add: { xs: readonly (T | undefined)[] };
  concat: { xs: readonly (T | undefined)[] };
  dropout: { x?: T };
  cross_entropy: { logits?: T };
  accuracy: Record<string, never>;
}

/** torch.optim.SGD (1.13, single-tensor path). The first step copies the gradient into the momentum buffer. */
export interface SgdAttrs {
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
  firstStep: boolean;
}
/** torch.optim.Adam, or AdamW when `decoupledWeightDecay` (1.13, single-tensor path, amsgrad off). */
export interface AdamAttrs {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  decoupledWeightDecay: boolean;
  /** 1 on the first step; drives the bias corrections. */
  step: number;
}
/** Optimizer updates by name: they run on the device like ops, once per trainable parameter. */
export interface UpdateAttrs {
  sgd: SgdAttrs;
  adam: AdamAttrs;
}
export type UpdateName = keyof UpdateAttrs;

/** Per-parameter optimizer state, named as in torch's optimizer `state_dict`. */
export const UPDATE_STATE: { readonly [K in UpdateName]: readonly string[] } = {
  sgd: ['momentum_buffer'],
  adam: ['exp_avg', 'exp_avg_sq'],
};
