// conv_transpose2d on the GPU: the conv2d passes with roles swapped (conv2d-passes.ts). Forward is conv2d's
// input gradient with x in the place of dy; backward runs conv2d's forward GEMM for dx and conv2d's weight
// gradient with dy as the input; the bias (and its gradient) is shaders/channel_bias.wgsl.

import type { Conv2dAttrs, ConvTranspose2dAttrs } from '../compile/ops.ts';
import type { TensorId } from '../compile/program.ts';
import { conv2d } from './conv2d.ts';
import {
  convGeometry,
  gemmBlock,
  gemmPlan,
  padPlans,
  relayoutPlan,
  stridedInputGradPlans,
} from './conv2d-passes.ts';
import {
  type DispatchPlan,
  dimsNCS,
  elementGroups,
  type GpuKernel,
  Params,
  type PlanContext,
  tensor,
} from './dispatch-plan.ts';

const BIAS_BINDINGS = ['read-only-storage', 'storage', 'uniform'] as const;

/** The conv2d whose input gradient this transposed conv is (bias handled here, not by conv2d). */
function asConv(a: ConvTranspose2dAttrs): Conv2dAttrs {
  return { stride: a.stride, padding: a.padding, dilation: a.dilation, groups: a.groups, bias: false };
}

/** y = conv2d's input gradient for dy = x: the conv2d kernel's own choice, or the gather where it cannot. */
function transposedPlans(
  a: ConvTranspose2dAttrs,
  x: TensorId,
  weight: TensorId,
  y: TensorId,
  ctx: PlanContext,
): DispatchPlan[] {
  const conv = asConv(a);
  // NOTE: conv2d's stride-1 input gradient pads dy symmetrically, so it covers no output_padding rows or
  // columns; those shapes take the gather, which handles any window.
  if (a.outputPadding[0] !== 0 || a.outputPadding[1] !== 0) {
    const geo = convGeometry(conv, ctx.shape(y), ctx.shape(weight), ctx.shape(x));
    return stridedInputGradPlans(geo, conv, weight, x, y, false, ctx);
  }
  return conv2d.backward(
    {
      op: 'conv2d',
      attrs: conv,
      inputs: { x: y, weight },
      output: x,
      saved: {},
      node: '',
      forward: 0,
      gradOutput: x,
      grads: { x: { tensor: y, accumulate: false } },
    },
    ctx,
    true,
  );
}

export const convTranspose2d: GpuKernel<'conv_transpose2d'> = {
  // x (N, C_in, H, W), weight (C_in, C_out/groups, KH, KW), bias (C_out) -> y (N, C_out, OH, OW)
  forward(step, ctx) {
    const { x, weight, bias } = step.inputs;
    const plans = transposedPlans(step.attrs, x, weight, step.output, ctx);
    if (bias !== undefined) {
      const [N, C, S] = dimsNCS(ctx.shape(step.output));
      plans.push({
        spec: { name: 'channel_bias', bindings: BIAS_BINDINGS, constants: { BACKWARD: false } },
        bindings: [tensor(bias), tensor(step.output), new Params().u32(N, C, S, 0).binding()],
        grid: elementGroups(N * C * S),
      });
    }
    return plans;
  },

  // dy (N, C_out, OH, OW) -> dx = conv2d(dy, weight), dweight = conv2d's weight gradient of (dy, x), dbias
  backward(step, ctx) {
    const { x, weight } = step.inputs;
    const conv = asConv(step.attrs);
    const { x: dx, weight: dw, bias: db } = step.grads;
    const dy = step.gradOutput;
    // The conv2d seen from here: input dy (N, C_out, OH, OW), weight (C_in, C_out/groups, ...), output x's shape.
    const geo = convGeometry(conv, ctx.shape(dy), ctx.shape(weight), ctx.shape(x));
    const plans: DispatchPlan[] = [];
    if (dx) {
      const input = padPlans(dy, geo.N * geo.C, geo.H, geo.W, conv.padding[0], conv.padding[1]);
      const gemm = gemmPlan(
        {
          input: input.input,
          n: geo.N,
          c: geo.C,
          hp: input.hp,
          wp: input.wp,
          o: geo.O,
          oh: geo.OH,
          ow: geo.OW,
          groups: geo.G,
          cg: geo.Cg,
          og: geo.Og,
          kh: geo.KH,
          kw: geo.KW,
          stride: conv.stride,
          dilation: conv.dilation,
          output: dx.tensor,
          accumulate: dx.accumulate,
        },
        ctx,
      );
      plans.push(...input.plans, relayoutPlan(geo, weight, 0, gemmBlock(geo.Og).padded), gemm);
    }
    if (dw)
      plans.push(
        ...conv2d.backward(
          {
            op: 'conv2d',
            attrs: conv,
            inputs: { x: dy, weight },
            output: x,
            saved: {},
            node: '',
            forward: 0,
            gradOutput: x,
            grads: { weight: dw },
          },
          ctx,
          true,
        ),
      );
    if (db) {
      const [N, C, S] = dimsNCS(ctx.shape(dy));
      plans.push({
        spec: { name: 'channel_bias', bindings: BIAS_BINDINGS, constants: { BACKWARD: true } },
        bindings: [tensor(dy), tensor(db.tensor), new Params().u32(N, C, S, db.accumulate).binding()],
        grid: elementGroups(C),
      });
    }
    return plans;
  },
};
