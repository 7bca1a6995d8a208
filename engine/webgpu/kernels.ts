// The WebGPU backend's kernel table: one entry per op of the catalogue, so a missing kernel fails to compile.

import type { OpName } from '../compile/ops.ts';
import { leakyRelu, sigmoid, tanh } from './activations.ts';
import { add } from './add.ts';
import { batchNorm } from './batch-norm.ts';
import { concat } from './concat.ts';
import { convTranspose2d } from './conv-transpose2d.ts';
import { conv2d } from './conv2d.ts';
import { accuracy, crossEntropy } from './cross-entropy.ts';
import type { AnyGpuKernel, GpuKernel } from './dispatch-plan.ts';
import { dropout } from './dropout.ts';
import { linear } from './linear.ts';
import { adaptiveAvgPool2d, avgPool2d, maxPool2d } from './pooling.ts';
import { relu } from './relu.ts';
import { softmax } from './softmax.ts';
import { upsample } from './upsample.ts';

export const GPU_KERNELS: { readonly [K in OpName]: GpuKernel<K> } = {
  conv2d,
  conv_transpose2d: convTranspose2d,
  linear,
  max_pool2d: maxPool2d,
  avg_pool2d: avgPool2d,
  adaptive_avg_pool2d: adaptiveAvgPool2d,
  batch_norm: batchNorm,
  relu,
  sigmoid,
  tanh,
  leaky_relu: leakyRelu,
  softmax,
  upsample,
  add,
  concat,
  dropout,
  cross_entropy: crossEntropy,
  accuracy,
};

export function gpuKernel(op: OpName): AnyGpuKernel {
  return GPU_KERNELS[op] as unknown as AnyGpuKernel;
}
