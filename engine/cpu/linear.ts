// linear on the CPU: y = x W^T + b, forward and backward, float64 sums in a fixed order (engine/cpu/gemm.ts).

import { gemm } from './gemm.ts';
import type { CpuKernel } from './tensor.ts';
import { gradInto } from './tensor.ts';

/** to[k] += from[k]: the float64 accumulator rounded once onto the float32 gradient. */
function addInto(to: Float32Array, from: Float64Array): void {
  for (let k = 0; k < from.length; k++) to[k]! += from[k]!;
}

export const linear: CpuKernel<'linear'> = {
  // x (N, I), weight (O, I), bias (O) -> y (N, O)
  forward({ inputs, output }) {
    const [N, I] = inputs.x.shape as [number, number];
    const O = inputs.weight.shape[0]!;
    const bias = inputs.bias?.f;
    const acc = new Float64Array(N * O);
    if (bias) for (let n = 0; n < N; n++) acc.set(bias, n * O);
    // y (N, O) = x (N, I) W^T (I, O)
    const x = { data: inputs.x.f, from: 0, row: I, step: 1 };
    gemm(N, O, I, x, { data: inputs.weight.f, from: 0, row: I, step: 1 }, acc, 0, O);
    output.f.set(acc);
  },

  // dy (N, O) -> dx (N, I) = dy W, dweight (O, I) = dy^T x, dbias (O) = sum over N of dy
  backward({ inputs, gradOutput, grads }) {
    const [N, I] = inputs.x.shape as [number, number];
    const O = inputs.weight.shape[0]!;
    const dy = gradOutput.f;

    const dx = gradInto(grads.x);
    if (dx) {
      const acc = new Float64Array(N * I);
      const w = { data: inputs.weight.f, from: 0, row: 1, step: I };
      gemm(N, I, O, { data: dy, from: 0, row: O, step: 1 }, w, acc, 0, I);
      addInto(dx, acc);
    }

    const dw = gradInto(grads.weight);
    if (dw) {
      const acc = new Float64Array(O * I);
      const x = { data: inputs.x.f, from: 0, row: 1, step: I };
      gemm(O, I, N, { data: dy, from: 0, row: 1, step: O }, x, acc, 0, I);
      addInto(dw, acc);
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
