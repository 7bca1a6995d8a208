// softmax on the CPU along dimension 1 of (N, C, S...): forward next to backward.

import { type CpuKernel, dimsNCS, gradInto } from './tensor.ts';

export const softmax: CpuKernel<'softmax'> = {
  // x (N, C, S) -> y (N, C, S) = e^(x - max) / sum_c e^(x - max), per (n, s)
  forward({ inputs, output }) {
    const [N, C, S] = dimsNCS(inputs.x);
    const x = inputs.x.f;
    const y = output.f;
    for (let n = 0; n < N; n++)
      for (let s = 0; s < S; s++) {
        const base = n * C * S + s;
        let max = Number.NEGATIVE_INFINITY;
        for (let c = 0; c < C; c++) max = Math.max(max, x[base + c * S]!);
        let sum = 0;
        for (let c = 0; c < C; c++) sum += Math.exp(x[base + c * S]! - max);
        for (let c = 0; c < C; c++) y[base + c * S] = Math.exp(x[base + c * S]! - max) / sum;
      }
  },

  // dy -> dx += y * (dy - sum_c dy * y)
  backward({ output, gradOutput, grads }) {
    const dx = gradInto(grads.x);
    if (!dx) return;
    const [N, C, S] = dimsNCS(output);
    const y = output.f;
    const dy = gradOutput.f;
    for (let n = 0; n < N; n++)
      for (let s = 0; s < S; s++) {
        const base = n * C * S + s;
        let dot = 0;
        for (let c = 0; c < C; c++) dot += dy[base + c * S]! * y[base + c * S]!;
        for (let c = 0; c < C; c++) dx[base + c * S]! += y[base + c * S]! * (dy[base + c * S]! - dot);
      }
  },
};
