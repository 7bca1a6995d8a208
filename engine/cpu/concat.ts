// concat on the CPU: joins inputs along dimension 1 (channels or features); backward slices the gradient.

import { type CpuKernel, dimsNCS, gradInto } from './tensor.ts';

export const concat: CpuKernel<'concat'> = {
  // xs[i] (N, C_i, S) -> y (N, sum C_i, S)
  forward({ inputs, output }) {
    const [N, C, S] = dimsNCS(output);
    const y = output.f;
    let offset = 0;
    for (const t of inputs.xs) {
      const Ci = dimsNCS(t)[1];
      for (let n = 0; n < N; n++) y.set(t.f.subarray(n * Ci * S, (n + 1) * Ci * S), (n * C + offset) * S);
      offset += Ci;
    }
  },

  // dy (N, sum C_i, S) -> dxs[i] (N, C_i, S)
  backward({ inputs, gradOutput, grads }) {
    const [N, C, S] = dimsNCS(gradOutput);
    const dy = gradOutput.f;
    let offset = 0;
    inputs.xs.forEach((t, i) => {
      const Ci = dimsNCS(t)[1];
      const dx = gradInto(grads.xs[i]);
      if (dx)
        for (let n = 0; n < N; n++) {
          const from = (n * C + offset) * S;
          const to = n * Ci * S;
          for (let k = 0; k < Ci * S; k++) dx[to + k]! += dy[from + k]!;
        }
      offset += Ci;
    });
  },
};
