// Dropout on the GPU (shaders/dropout.wgsl): the counter-based mask of op-numerics.ts, drawn in forward and
// drawn again in backward from the program's random key; a copy in eval mode.

import { dropoutScale, dropoutThreshold } from '../compile/op-numerics.ts';
import type { DropoutAttrs } from '../compile/ops.ts';
import { elementGroups, type GpuKernel, Params, tensor } from './dispatch-plan.ts';

const BINDINGS = ['read-only-storage', 'read-only-storage', 'storage', 'uniform'] as const;

function params(attrs: DropoutAttrs, count: number, training: boolean, accumulate: boolean): Params {
  return new Params()
    .u32(count, attrs.stream >>> 0, dropoutThreshold(attrs.p))
    .f32(dropoutScale(attrs.p))
    .u32(training, accumulate);
}

export const dropout: GpuKernel<'dropout'> = {
  modal: true,

  // x (any shape), key (2) -> y (same): x * mask in training, x in eval mode
  forward(step, ctx, training) {
    const n = ctx.shape(step.output).reduce((a, b) => a * b, 1);
    return [
      {
        spec: { name: 'dropout', bindings: BINDINGS, constants: { BACKWARD: false } },
        bindings: [
          tensor(step.inputs.x),
          tensor(step.inputs.key),
          tensor(step.output),
          params(step.attrs, n, training, false).binding(),
        ],
        grid: elementGroups(n),
      },
    ];
  },

  // dy -> dx (+)= dy * mask (the same mask), or dy in eval mode
  backward(step, ctx, training) {
    const g = step.grads.x;
    if (!g) return [];
    const n = ctx.shape(step.output).reduce((a, b) => a * b, 1);
    return [
      {
        spec: { name: 'dropout', bindings: BINDINGS, constants: { BACKWARD: true } },
        bindings: [
          tensor(step.gradOutput),
          tensor(step.inputs.key),
          tensor(g.tensor),
          params(step.attrs, n, training, g.accumulate).binding(),
        ],
        grid: elementGroups(n),
      },
    ];
  },
};
