// Optimizer updates on the GPU (shaders/sgd.wgsl, adam.wgsl): one dispatch per parameter, with the step's
// hyperparameters in one uniform shared by all of them and written when they change.

import type { AdamAttrs, SgdAttrs, UpdateAttrs, UpdateName } from '../compile/ops.ts';
import type { UpdateStep } from '../compile/program.ts';
import {
  type DispatchPlan,
  elementGroups,
  optional,
  Params,
  type PlanContext,
  tensor,
} from './dispatch-plan.ts';

/** Bytes of the attrs uniform (the larger of the two structs, 48 bytes, rounded up). */
export const ATTRS_BYTES = 64;

/** The update's dispatch for one parameter; `optimizerAttrs` is bound to the per-step uniform. */
export function updatePlan(op: UpdateName, u: UpdateStep, ctx: PlanContext): DispatchPlan {
  const n = ctx.shape(u.param).reduce((a, b) => a * b, 1);
  const count = new Params().u32(n).binding();
  if (op === 'sgd')
    return {
      spec: { name: 'sgd', bindings: ['storage', 'read-only-storage', 'storage', 'uniform', 'uniform'] },
      bindings: [
        tensor(u.param),
        tensor(u.grad),
        optional(u.state.momentum_buffer),
        count,
        { optimizerAttrs: true },
      ],
      grid: elementGroups(n),
    };
  return {
    spec: {
      name: 'adam',
      bindings: ['storage', 'read-only-storage', 'storage', 'storage', 'uniform', 'uniform'],
    },
    bindings: [
      tensor(u.param),
      tensor(u.grad),
      tensor(u.state.exp_avg!),
      tensor(u.state.exp_avg_sq!),
      count,
      { optimizerAttrs: true },
    ],
    grid: elementGroups(n),
  };
}

/** The attrs uniform's bytes; scalars rounded to float32 as engine/cpu/optimizers.ts does. */
export function attrsBytes<K extends UpdateName>(op: K, attrs: UpdateAttrs[K]): ArrayBuffer {
  const p = new Params();
  if (op === 'sgd') {
    const a = attrs as SgdAttrs;
    p.f32(a.lr, a.momentum, 1 - a.dampening, a.weightDecay).u32(a.nesterov, a.firstStep);
  } else {
    const a = attrs as AdamAttrs;
    // Bias corrections in float64, as torch computes them from the Python step count.
    const stepSize = a.lr / (1 - a.beta1 ** a.step);
    const correction2Sqrt = Math.sqrt(1 - a.beta2 ** a.step);
    p.f32(a.beta1, 1 - a.beta1, a.beta2, 1 - a.beta2, a.eps, a.weightDecay, 1 - a.lr * a.weightDecay)
      .f32(stepSize, correction2Sqrt)
      .u32(a.decoupledWeightDecay);
  }
  const bytes = new Uint8Array(ATTRS_BYTES);
  bytes.set(new Uint8Array(p.bytes()));
  return bytes.buffer;
}
