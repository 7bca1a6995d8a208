// Linear on the GPU through the shared matmul kernels (shaders/matmul_*.wgsl): y = x W^T + b forward;
// dx = dy W, dW = dy^T x and db = column sums of dy (shaders/sum_rows.wgsl) backward.

import type { TensorId } from '../compile/program.ts';
import {
  type MatmulShape,
  type MatmulVariant,
  matmulKernel,
  matmulParams,
  splitPartialsBytes,
  splitReduceKernel,
} from '../gpu/index.ts';
import {
  type Binding,
  type DispatchPlan,
  EMPTY,
  elementGroups,
  type GpuKernel,
  Params,
  tensor,
} from './dispatch-plan.ts';

/**
 * One matmul: out = op(a) op(b) (+ bias) (+ out), bound as the matmul kernels expect. One dispatch, or two
 * when the split-K shape rule cuts k (partial products in the 'matmul.partials' scratch, then their
 * fixed-order sum).
 */
export function matmulPlans(
  variant: MatmulVariant,
  shape: MatmulShape,
  a: TensorId,
  b: TensorId,
  out: TensorId,
  bias?: TensorId,
): DispatchPlan[] {
  const { spec, grid, split } = matmulKernel(variant, shape);
  const params = { params: matmulParams(shape, split).buffer as ArrayBuffer };
  const biasBinding = bias === undefined ? EMPTY : tensor(bias);
  if (split.splits === 1) {
    const bindings: Binding[] = [tensor(a), tensor(b), biasBinding, tensor(out), params];
    // NOTE: the register-blocked variant binds A and B a second time, viewed as vec4s.
    if (spec.name === 'matmul_blocked') bindings.push(tensor(a), tensor(b));
    return [{ spec, bindings, grid }];
  }
  const partials: Binding = { scratch: 'matmul.partials', bytes: splitPartialsBytes(shape, split) };
  const bindings: Binding[] = [tensor(a), tensor(b), EMPTY, partials, params];
  if (spec.name === 'matmul_blocked') bindings.push(tensor(a), tensor(b));
  const reduce = splitReduceKernel(shape, split);
  return [
    { spec, bindings, grid },
    {
      spec: reduce.spec,
      bindings: [partials, biasBinding, tensor(out), { params: reduce.params.buffer as ArrayBuffer }],
      grid: reduce.grid,
    },
  ];
}

export const linear: GpuKernel<'linear'> = {
  // x (N, I), weight (O, I), bias (O) -> y (N, O)
  forward(step, ctx) {
    const [N, I] = ctx.shape(step.inputs.x) as [number, number];
    const O = ctx.shape(step.inputs.weight)[0]!;
    const shape: MatmulShape = {
      m: N,
      n: O,
      k: I,
      transposeB: true,
      bias: step.inputs.bias !== undefined,
      // The shape rule, or never split (1) where this adapter does not gain from it.
      ...(ctx.splitK ? {} : { splitK: 1 }),
    };
    return matmulPlans(
      ctx.matmulVariant,
      shape,
      step.inputs.x,
      step.inputs.weight,
      step.output,
      step.inputs.bias,
    );
  },

  // dy (N, O) -> dx (N, I) = dy W, dweight (O, I) = dy^T x, dbias (O) = sum over N of dy
  backward(step, ctx) {
    const [N, I] = ctx.shape(step.inputs.x) as [number, number];
    const O = ctx.shape(step.inputs.weight)[0]!;
    const { x: dx, weight: dw, bias: db } = step.grads;
    const plans: DispatchPlan[] = [];
    if (dx)
      plans.push(
        ...matmulPlans(
          ctx.matmulVariant,
          { m: N, n: I, k: O, accumulate: dx.accumulate, ...(ctx.splitK ? {} : { splitK: 1 }) },
          step.gradOutput,
          step.inputs.weight,
          dx.tensor,
        ),
      );
    if (dw)
      plans.push(
        ...matmulPlans(
          ctx.matmulVariant,
          {
            m: O,
            n: I,
            k: N,
            transposeA: true,
            accumulate: dw.accumulate,
            ...(ctx.splitK ? {} : { splitK: 1 }),
          },
          step.gradOutput,
          step.inputs.x,
          dw.tensor,
        ),
      );
    if (db)
      plans.push({
        spec: { name: 'sum_rows', bindings: ['read-only-storage', 'storage', 'uniform'] },
        bindings: [
          tensor(step.gradOutput),
          tensor(db.tensor),
          new Params().u32(N, O, db.accumulate).binding(),
        ],
        grid: elementGroups(O),
      });
    return plans;
  },
};
