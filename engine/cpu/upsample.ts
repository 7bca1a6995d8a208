// upsample on the CPU (nearest, bilinear): each output reads at most 2 x 2 inputs through the per-axis taps of
// op-numerics.ts; backward adds each output gradient back into the inputs it read.

import { upsampleTaps } from '../compile/op-numerics.ts';
import type { UpsampleAttrs } from '../compile/ops.ts';
import { type CpuKernel, dims4, gradInto } from './tensor.ts';

function axes(attrs: UpsampleAttrs, H: number, W: number) {
  const { mode, size, scale, alignCorners } = attrs;
  return {
    h: upsampleTaps(mode, H, size[0], scale ? scale[0] : null, alignCorners),
    w: upsampleTaps(mode, W, size[1], scale ? scale[1] : null, alignCorners),
  };
}

export const upsample: CpuKernel<'upsample'> = {
  // x (N, C, H, W) -> y (N, C, OH, OW)
  forward({ attrs, inputs, output }) {
    const [N, C, H, W] = dims4(inputs.x);
    const [, , OH, OW] = dims4(output);
    const { h, w } = axes(attrs, H, W);
    const x = inputs.x.f;
    const y = output.f;
    for (let p = 0; p < N * C; p++)
      for (let oh = 0; oh < OH; oh++) {
        const r0 = p * H * W + h.i0[oh]! * W;
        const r1 = p * H * W + h.i1[oh]! * W;
        for (let ow = 0; ow < OW; ow++) {
          const a = w.l0[ow]! * x[r0 + w.i0[ow]!]! + w.l1[ow]! * x[r0 + w.i1[ow]!]!;
          const b = w.l0[ow]! * x[r1 + w.i0[ow]!]! + w.l1[ow]! * x[r1 + w.i1[ow]!]!;
          y[(p * OH + oh) * OW + ow] = h.l0[oh]! * a + h.l1[oh]! * b;
        }
      }
  },

  // dy (N, C, OH, OW) -> dx (N, C, H, W) += each output's gradient times its tap weights
  backward({ attrs, inputs, gradOutput, grads }) {
    const dx = gradInto(grads.x);
    if (!dx) return;
    const [N, C, H, W] = dims4(inputs.x);
    const [, , OH, OW] = dims4(gradOutput);
    const { h, w } = axes(attrs, H, W);
    const dy = gradOutput.f;
    for (let p = 0; p < N * C; p++)
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++) {
          const g = dy[(p * OH + oh) * OW + ow]!;
          for (const [ih, lh] of [
            [h.i0[oh]!, h.l0[oh]!],
            [h.i1[oh]!, h.l1[oh]!],
          ] as const)
            for (const [iw, lw] of [
              [w.i0[ow]!, w.l0[ow]!],
              [w.i1[ow]!, w.l1[ow]!],
            ] as const)
              if (lh !== 0 && lw !== 0) dx[p * H * W + ih * W + iw]! += g * lh * lw;
        }
  },
};
