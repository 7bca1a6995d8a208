// add on the CPU: the sum of n same-shaped inputs; backward hands the gradient to each of them.

import { type CpuKernel, gradInto } from './tensor.ts';

export const add: CpuKernel<'add'> = {
  // xs[i] (any shape, all equal) -> y (same)
  forward({ inputs, output }) {
    const y = output.f;
    const xs = inputs.xs.map((t) => t.f);
    for (let k = 0; k < y.length; k++) {
      let s = 0;
      for (const x of xs) s += x[k]!;
      y[k] = s;
    }
  },

  // dy -> dxs[i] += dy
  backward({ gradOutput, grads }) {
    const dy = gradOutput.f;
    // NOTE: in order, so Add(x, x) writes x's gradient once and then adds to it.
    for (const g of grads.xs) {
      const dx = gradInto(g);
      if (!dx) continue;
      for (let k = 0; k < dy.length; k++) dx[k]! += dy[k]!;
    }
  },
};
