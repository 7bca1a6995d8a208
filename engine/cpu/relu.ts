// relu on the CPU: max(0, x) forward; backward passes the gradient where the output is positive.

import { type CpuKernel, gradInto } from './tensor.ts';

export const relu: CpuKernel<'relu'> = {
  // x (any shape) -> y (same)
  forward({ inputs, output }) {
    const x = inputs.x.f;
    const y = output.f;
    // NOTE: NaN stays NaN, as in PyTorch (a plain `x > 0 ? x : 0` would turn it into 0).
    for (let k = 0; k < x.length; k++) y[k] = x[k]! > 0 || Number.isNaN(x[k]!) ? x[k]! : 0;
  },

  // dy -> dx = dy where y > 0 (so 0 at exactly 0, like PyTorch's threshold_backward)
  backward({ output, gradOutput, grads }) {
    const dx = gradInto(grads.x);
    if (!dx) return;
    const y = output.f;
    const dy = gradOutput.f;
    for (let k = 0; k < y.length; k++) if (y[k]! > 0) dx[k]! += dy[k]!;
  },
};
