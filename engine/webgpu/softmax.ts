// Softmax along dimension 1 on the GPU (shaders/softmax.wgsl): one invocation per (n, s) column.

import { dimsNCS, EMPTY, elementGroups, type GpuKernel, Params, tensor } from './dispatch-plan.ts';

const BINDINGS = ['read-only-storage', 'read-only-storage', 'storage', 'uniform'] as const;

export const softmax: GpuKernel<'softmax'> = {
  // x (N, C, S) -> y (N, C, S)
  forward(step, ctx) {
    const [N, C, S] = dimsNCS(ctx.shape(step.output));
    return [
      {
        spec: { name: 'softmax', bindings: BINDINGS, constants: { BACKWARD: false } },
        bindings: [
          tensor(step.inputs.x),
          EMPTY,
          tensor(step.output),
          new Params().u32(N * S, C, S, 0).binding(),
        ],
        grid: elementGroups(N * S),
      },
    ];
  },

  // dy -> dx (+)= y * (dy - sum_c dy * y)
  backward(step, ctx) {
    const g = step.grads.x;
    if (!g) return [];
    const [N, C, S] = dimsNCS(ctx.shape(step.output));
    return [
      {
        spec: { name: 'softmax', bindings: BINDINGS, constants: { BACKWARD: true } },
        bindings: [
          tensor(step.output),
          tensor(step.gradOutput),
          tensor(g.tensor),
          new Params().u32(N * S, C, S, g.accumulate).binding(),
        ],
        grid: elementGroups(N * S),
      },
    ];
  },
};
