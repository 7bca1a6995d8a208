// linear on the CPU: y = x W^T + b, forward and backward, float64 sums in a fixed order.

import type { CpuKernel } from './tensor.ts';
import { gradInto } from './tensor.ts';

export const linear: CpuKernel<'linear'> = {
  // x (N, I), weight (O, I), bias (O) -> y (N, O)
  forward({ inputs, output }) {
    const [N, I] = inputs.x.shape as [number, number];
    const O = inputs.weight.shape[0]!;
    const x = inputs.x.f;
    const w = inputs.weight.f;
    const bias = inputs.bias?.f;
    const y = output.f;
    for (let n = 0; n < N; n++)
      for (let o = 0; o < O; o++) {
        let s = bias ? bias[o]! : 0;
        const xr = n * I;
        const wr = o * I;
        for (let i = 0; i < I; i++) s += x[xr + i]! * w[wr + i]!;
        y[n * O + o] = s;
      }
  },

  // dy (N, O) -> dx (N, I) = dy W, dweight (O, I) = dy^T x, dbias (O) = sum over N of dy
  backward({ inputs, gradOutput, grads }) {
    const [N, I] = inputs.x.shape as [number, number];
    const O = inputs.weight.shape[0]!;
    const x = inputs.x.f;
    const w = inputs.weight.f;
    const dy = gradOutput.f;
    const acc = new Float64Array(I);

    const dx = gradInto(grads.x);
    if (dx)
      for (let n = 0; n < N; n++) {
        acc.fill(0);
        for (let o = 0; o < O; o++) {
          const d = dy[n * O + o]!;
          const wr = o * I;
          for (let i = 0; i < I; i++) acc[i]! += d * w[wr + i]!;
        }
        for (let i = 0; i < I; i++) dx[n * I + i]! += acc[i]!;
      }

    const dw = gradInto(grads.weight);
    if (dw)
      for (let o = 0; o < O; o++) {
        acc.fill(0);
        for (let n = 0; n < N; n++) {
          const d = dy[n * O + o]!;
          const xr = n * I;
          for (let i = 0; i < I; i++) acc[i]! += d * x[xr + i]!;
        }
        for (let i = 0; i < I; i++) dw[o * I + i]! += acc[i]!;
      }

    const db = gradInto(grads.bias);
    if (db)
      for (let o = 0; o < O; o++) {
        let s = 0;
        for (let n = 0; n < N; n++) s += dy[n * O + o]!;
        db[o]! += s;
      }
  },
};
