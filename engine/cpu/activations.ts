// sigmoid, tanh and leaky_relu on the CPU: element-wise forward next to backward.

import { type CpuKernel, gradInto } from './tensor.ts';

export const sigmoid: CpuKernel<'sigmoid'> = {
  // x (any shape) -> y = 1 / (1 + e^-x)
  forward({ inputs, output }) {
    const x = inputs.x.f;
    const y = output.f;
    for (let k = 0; k < x.length; k++) y[k] = 1 / (1 + Math.exp(-x[k]!));
  },

  // dy -> dx += dy * y * (1 - y)
  backward({ output, gradOutput, grads }) {
    const dx = gradInto(grads.x);
    if (!dx) return;
    const y = output.f;
    const dy = gradOutput.f;
    for (let k = 0; k < y.length; k++) dx[k]! += dy[k]! * y[k]! * (1 - y[k]!);
  },
};

export const tanh: CpuKernel<'tanh'> = {
  // x (any shape) -> y = tanh(x)
  forward({ inputs, output }) {
    const x = inputs.x.f;
    const y = output.f;
    for (let k = 0; k < x.length; k++) y[k] = Math.tanh(x[k]!);
  },

  // dy -> dx += dy * (1 - y^2)
  backward({ output, gradOutput, grads }) {
    const dx = gradInto(grads.x);
    if (!dx) return;
    const y = output.f;
    const dy = gradOutput.f;
    for (let k = 0; k < y.length; k++) dx[k]! += dy[k]! * (1 - y[k]! * y[k]!);
  },
};

export const leakyRelu: CpuKernel<'leaky_relu'> = {
  // x (any shape) -> y = x where x > 0, else negative_slope * x (NaN stays NaN)
  forward({ attrs, inputs, output }) {
    const x = inputs.x.f;
    const y = output.f;
    const slope = attrs.negativeSlope;
    for (let k = 0; k < x.length; k++) y[k] = x[k]! > 0 ? x[k]! : x[k]! * slope;
  },

  // dy -> dx += dy where x > 0, else dy * negative_slope (as leaky_relu_backward)
  backward({ attrs, inputs, gradOutput, grads }) {
    const dx = gradInto(grads.x);
    if (!dx) return;
    const x = inputs.x.f;
    const dy = gradOutput.f;
    const slope = attrs.negativeSlope;
    for (let k = 0; k < x.length; k++) dx[k]! += x[k]! > 0 ? dy[k]! : dy[k]! * slope;
  },
};
