// Concat along dimension 1 on the GPU (shaders/concat.wgsl): each input copied into its channel range
// forward; each input's gradient is the matching slice of dy backward.

import { dimsNCS, elementGroups, type GpuKernel, Params, tensor } from './dispatch-plan.ts';

const BINDINGS = ['read-only-storage', 'storage', 'uniform'] as const;

export const concat: GpuKernel<'concat'> = {
  // xs[i] (N, C_i, S) -> y (N, sum C_i, S)
  forward(step, ctx) {
    const [N, C, S] = dimsNCS(ctx.shape(step.output));
    let offset = 0;
    return step.inputs.xs.map((x) => {
      const Ci = dimsNCS(ctx.shape(x))[1];
      const params = new Params().u32(N, Ci * S, Ci * S, 0, C * S, offset * S, 0);
      offset += Ci;
      return {
        spec: { name: 'concat', bindings: BINDINGS },
        bindings: [tensor(x), tensor(step.output), params.binding()],
        grid: elementGroups(N * Ci * S),
      };
    });
  },

  // dy (N, sum C_i, S) -> dxs[i] (N, C_i, S)
  backward(step, ctx) {
    const [N, C, S] = dimsNCS(ctx.shape(step.output));
    let offset = 0;
    return step.inputs.xs.flatMap((x, i) => {
      const Ci = dimsNCS(ctx.shape(x))[1];
      const g = step.grads.xs[i];
      const from = offset;
      offset += Ci;
      if (!g) return [];
      const params = new Params().u32(N, Ci * S, C * S, from * S, Ci * S, 0, g.accumulate);
      return [
        {
          spec: { name: 'concat', bindings: BINDINGS },
          bindings: [tensor(step.gradOutput), tensor(g.tensor), params.binding()],
          grid: elementGroups(N * Ci * S),
        },
      ];
    });
  },
};
