// sigmoid, tanh and leaky_relu on the GPU: one element-wise kernel (shaders/activation.wgsl) specialised by
// its ACTIVATION override constant; backward reads the output (sigmoid, tanh) or the input (leaky_relu).

import type { OpName } from '../compile/ops.ts';
import type { BackwardStep, ForwardStep, TensorId } from '../compile/program.ts';
import {
  count,
  EMPTY,
  elementGroups,
  type GpuKernel,
  Params,
  type PlanContext,
  tensor,
} from './dispatch-plan.ts';

type Activation = 'sigmoid' | 'tanh' | 'leaky_relu';
const ACTIVATION: { readonly [K in Activation]: number } = { sigmoid: 0, tanh: 1, leaky_relu: 2 };
const BINDINGS = ['read-only-storage', 'read-only-storage', 'storage', 'uniform'] as const;

function slope(step: { attrs: object }): number {
  return 'negativeSlope' in step.attrs ? (step.attrs.negativeSlope as number) : 0;
}

function activation<K extends Activation & OpName>(op: K, backwardReadsInput: boolean): GpuKernel<K> {
  const spec = (backward: boolean) => ({
    name: 'activation',
    bindings: BINDINGS,
    constants: { ACTIVATION: ACTIVATION[op], BACKWARD: backward },
  });
  return {
    // x (any shape) -> y (same)
    forward(step: ForwardStep<K>, ctx: PlanContext) {
      const n = count(ctx.shape(step.output));
      const x = (step.inputs as { x: TensorId }).x;
      return [
        {
          spec: spec(false),
          bindings: [
            tensor(x),
            EMPTY,
            tensor(step.output),
            new Params().u32(n, 0).f32(slope(step)).binding(),
          ],
          grid: elementGroups(Math.ceil(n / 4)),
        },
      ];
    },

    // dy -> dx (+)= dy * f'
    backward(step: BackwardStep<K>, ctx: PlanContext) {
      const g = (step.grads as { x?: { tensor: TensorId; accumulate: boolean } }).x;
      if (!g) return [];
      const n = count(ctx.shape(step.output));
      const source = backwardReadsInput ? (step.inputs as { x: TensorId }).x : step.output;
      return [
        {
          spec: spec(true),
          bindings: [
            tensor(source),
            tensor(step.gradOutput),
            tensor(g.tensor),
            new Params().u32(n, g.accumulate).f32(slope(step)).binding(),
          ],
          grid: elementGroups(Math.ceil(n / 4)),
        },
      ];
    },
  };
}

export const sigmoid = activation('sigmoid', false);
export const tanh = activation('tanh', false);
export const leakyRelu = activation('leaky_relu', true);
