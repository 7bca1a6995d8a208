// Add on the GPU (shaders/add.wgsl): y = x0 + x1 (+ x2 ...) forward; each input's gradient (+)= dy backward.

import type { TensorId } from '../compile/program.ts';
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

/** out = a (+ b) (+ out): one dispatch of the shared element-wise sum kernel. */
export function addPlan(
  count: number,
  out: TensorId,
  a: TensorId,
  b: TensorId | undefined,
  accumulate: boolean,
): DispatchPlan {
  const { width, template } = elementType(count);
  return {
    spec: { name: 'add', bindings: BINDINGS, template },
    bindings: [
      tensor(a),
      b === undefined ? EMPTY : tensor(b),
      tensor(out),
      new Params().u32(count / width, accumulate, b !== undefined).binding(),
    ],
    grid: elementGroups(count / width),
  };
}

export const add: GpuKernel<'add'> = {
  // xs[i] (any shape, all equal) -> y (same): ((x0 + x1) + x2) + ...
  forward(step, ctx) {
    const n = ctx.shape(step.output).reduce((a, b) => a * b, 1);
    const xs = step.inputs.xs;
    const plans = [addPlan(n, step.output, xs[0]!, xs[1], false)];
    for (let i = 2; i < xs.length; i++) plans.push(addPlan(n, step.output, xs[i]!, undefined, true));
    return plans;
  },

  // dy -> dxs[i] (+)= dy, in input order (Add(x, x) writes x's gradient once, then adds to it)
  backward(step, ctx) {
    const n = ctx.shape(step.output).reduce((a, b) => a * b, 1);
    return step.grads.xs.flatMap((g) =>
      g ? [addPlan(n, g.tensor, step.gradOutput, undefined, g.accumulate)] : [],
    );
  },
};
