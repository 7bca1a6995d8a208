// Conv2d on the GPU as implicit GEMMs (no im2col buffer), in the variant chosen for the adapter
// (ctx.convVariant). 'blocked', from the passes in conv2d-passes.ts: forward; input gradient as a forward conv
// of the padded dy with the flipped kernel at stride 1 (a gather kernel when strided); weight and bias
// gradients in position chunks reduced in a fixed order (deterministic). Each of the three runs on
// channels-last copies (conv2d-channels-last.ts) where a group has enough channels for whole vec4 loads to pay.
// 'tiled': the workgroup-memory kernels of conv2d-tiled.ts for the same three passes.

import {
  channelsLastForwardPlans,
  channelsLastGemmPays,
  channelsLastInputGradPlans,
  channelsLastWeightGradPays,
  channelsLastWeightGradPlans,
} from './conv2d-channels-last.ts';
import {
  convGeometry,
  gemmBlock,
  gemmPlan,
  padPlans,
  relayoutPlan,
  stridedInputGradPlans,
  weightGradPlans,
} from './conv2d-passes.ts';
import { tiledForwardPlans, tiledInputGradPlans, tiledWeightGradPlans } from './conv2d-tiled.ts';
import type { DispatchPlan, GpuKernel } from './dispatch-plan.ts';

export const conv2d: GpuKernel<'conv2d'> = {
  // x (N, C, H, W), weight (O, C/groups, KH, KW), bias (O) -> y (N, O, OH, OW)
  forward(step, ctx) {
    const { x, weight, bias } = step.inputs;
    const a = step.attrs;
    const geo = convGeometry(a, ctx.shape(x), ctx.shape(weight), ctx.shape(step.output));
    if (ctx.convVariant === 'tiled') return tiledForwardPlans(geo, a, x, weight, bias, step.output, ctx);
    if (channelsLastGemmPays(geo.Cg))
      return channelsLastForwardPlans(geo, a, x, weight, bias, step.output, ctx);
    const input = padPlans(x, geo.N * geo.C, geo.H, geo.W, a.padding[0], a.padding[1]);
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
        stride: a.stride,
        dilation: a.dilation,
        ...(bias !== undefined ? { bias } : {}),
        output: step.output,
        accumulate: false,
      },
      ctx,
    );
    return [...input.plans, relayoutPlan(geo, weight, 0, gemmBlock(geo.Og).padded), gemm];
  },

  // dy (N, O, OH, OW) -> dx (N, C, H, W), dweight (O, C/groups, KH, KW), dbias (O)
  backward(step, ctx) {
    const { x, weight } = step.inputs;
    const a = step.attrs;
    const geo = convGeometry(a, ctx.shape(x), ctx.shape(weight), ctx.shape(step.output));
    const { x: dx, weight: dw, bias: db } = step.grads;
    const plans: DispatchPlan[] = [];
    if (ctx.convVariant === 'tiled') {
      if (dx) plans.push(...tiledInputGradPlans(geo, a, step.gradOutput, weight, dx, ctx));
      if (dw || db) plans.push(...tiledWeightGradPlans(geo, a, x, step.gradOutput, dw, db, ctx));
      return plans;
    }
    // NOTE: at stride 1, dx is the conv of dy, padded by (K - 1) * dilation - padding, with the kernel
    // flipped and its channels swapped; the tuned forward kernel runs it. Strides, or a padding past
    // (K - 1) * dilation, take the gather kernel.
    const top = (geo.KH - 1) * a.dilation[0] - a.padding[0];
    const left = (geo.KW - 1) * a.dilation[1] - a.padding[1];
    const strideOne = a.stride[0] === 1 && a.stride[1] === 1 && top >= 0 && left >= 0;
    if (dx && strideOne && channelsLastGemmPays(geo.Og)) {
      plans.push(...channelsLastInputGradPlans(geo, a, step.gradOutput, weight, dx, [top, left], ctx));
    } else if (dx && strideOne) {
      const input = padPlans(step.gradOutput, geo.N * geo.O, geo.OH, geo.OW, top, left);
      const gemm = gemmPlan(
        {
          input: input.input,
          n: geo.N,
          c: geo.O,
          hp: input.hp,
          wp: input.wp,
          o: geo.C,
          oh: geo.H,
          ow: geo.W,
          groups: geo.G,
          cg: geo.Og,
          og: geo.Cg,
          kh: geo.KH,
          kw: geo.KW,
          stride: [1, 1],
          dilation: a.dilation,
          output: dx.tensor,
          accumulate: dx.accumulate,
        },
        ctx,
      );
      plans.push(...input.plans, relayoutPlan(geo, weight, 2, gemmBlock(geo.Cg).padded), gemm);
    } else if (dx)
      plans.push(...stridedInputGradPlans(geo, a, weight, step.gradOutput, dx.tensor, dx.accumulate, ctx));
    if (dw || db)
      plans.push(
        ...(channelsLastWeightGradPays(geo)
          ? channelsLastWeightGradPlans(geo, a, x, step.gradOutput, dw, db, ctx)
          : weightGradPlans(geo, a, x, step.gradOutput, dw, db)),
      );
    return plans;
  },
};
