// The CPU backend's kernel table: one entry per op of the catalogue, so a missing kernel fails to compile.

import type { OpName, UpdateName } from '../compile/ops.ts';
import { accuracy } from './accuracy.ts';
import { leakyRelu, sigmoid, tanh } from './activations.ts';
import { adaptiveAvgPool2d } from './adaptive-avg-pool2d.ts';
import { add } from './add.ts';
import { avgPool2d } from './avg-pool2d.ts';
import { batchNorm } from './batch-norm.ts';
import { concat } from './concat.ts';
import { convTranspose2d } from './conv-transpose2d.ts';
import { conv2d } from './conv2d.ts';
import { crossEntropy } from './cross-entropy.ts';
import { dropout } from './dropout.ts';
import { linear } from './linear.ts';
import { maxPool2d } from './max-pool2d.ts';
import { adam, type CpuUpdate, sgd } from './optimizers.ts';
import { relu } from './relu.ts';
import { softmax } from './softmax.ts';
import type { CpuKernel } from './tensor.ts';
import { upsample } from './upsample.ts';

export const CPU_KERNELS: { readonly [K in OpName]: CpuKernel<K> } = {
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

export const CPU_UPDATES: { readonly [K in UpdateName]: CpuUpdate<K> } = { sgd, adam };
