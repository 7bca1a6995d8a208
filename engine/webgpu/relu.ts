// ReLU on the GPU (shaders/relu.wgsl): forward y = max(0, x), backward dx (+)= dy where y > 0.

import {
  type DispatchPlan,
  EMPTY,
  elementGroups,
  elementType,
  type GpuKernel,
  Params,
  tensor,
} from './dispatch-plan.ts';

const BINDINGS = ['read-only-storage', 'read-only-storage', 'storage', 'uniform'] as const;

export const relu: GpuKernel<'relu'> = {
  // x (any shape) -> y (same)
  forward(step, ctx) {
    const n = ctx.shape(step.output).reduce((a, b) => a * b, 1);
    const { width, template } = elementType(n);
    return [
      {
        spec: { name: 'relu', bindings: BINDINGS, constants: { BACKWARD: false }, template },
        bindings: [
          tensor(step.inputs.x),
          EMPTY,
          tensor(step.output),
          new Params().u32(n / width, 0).binding(),
        ],
        grid: elementGroups(n / width),
      },
    ];
  },

  // dy -> dx (+)= dy where y > 0
  backward(step, ctx) {
    const g = step.grads.x;
    if (!g) return [];
    const n = ctx.shape(step.output).reduce((a, b) => a * b, 1);
    const { width, template } = elementType(n);
    const plan: DispatchPlan = {
      spec: { name: 'relu', bindings: BINDINGS, constants: { BACKWARD: true }, template },
      bindings: [
        tensor(step.output),
        tensor(step.gradOutput),
        tensor(g.tensor),
        new Params().u32(n / width, g.accumulate).binding(),
      ],
      grid: elementGroups(n / width),
    };
    return [plan];
  },
};
