// Upsample (nearest, bilinear) on the GPU (shaders/upsample.wgsl): the per-axis taps of op-numerics.ts go to the
// kernel as a uniform table; backward gathers per input over the outputs that read it (no atomics).

import { upsampleReaders, upsampleTaps } from '../compile/op-numerics.ts';
import type { UpsampleAttrs } from '../compile/ops.ts';
import { dims4, elementGroups, type GpuKernel, Params, tensor } from './dispatch-plan.ts';

const BINDINGS = ['read-only-storage', 'storage', 'uniform', 'uniform'] as const;
/** A uniform binding holds at most 64 KiB: 4096 rows of vec4. */
const MAX_ROWS = 4096;

/** The taps table: height taps, width taps, height readers, width readers (see the shader). */
function table(attrs: UpsampleAttrs, H: number, W: number): { rows: number; params: Params } {
  const { mode, size, scale, alignCorners } = attrs;
  const h = upsampleTaps(mode, H, size[0], scale ? scale[0] : null, alignCorners);
  const w = upsampleTaps(mode, W, size[1], scale ? scale[1] : null, alignCorners);
  const rows = size[0] + size[1] + H + W;
  if (rows > MAX_ROWS) throw new Error(`upsample: ${rows} table rows exceed the ${MAX_ROWS} a uniform holds`);
  const params = new Params();
  for (const t of [h, w])
    for (let o = 0; o < t.i0.length; o++) params.f32(t.i0[o]!, t.i1[o]!, t.l0[o]!, t.l1[o]!);
  for (const [t, n] of [
    [h, H],
    [w, W],
  ] as const) {
    const { lo, hi } = upsampleReaders(t, n);
    for (let i = 0; i < n; i++) params.f32(lo[i]!, hi[i]!, 0, 0);
  }
  return { rows, params };
}

function spec(rows: number, backward: boolean) {
  return {
    name: 'upsample',
    bindings: BINDINGS,
    constants: { BACKWARD: backward },
    template: { ROWS: String(rows) },
  };
}

export const upsample: GpuKernel<'upsample'> = {
  // x (N, C, H, W) -> y (N, C, OH, OW)
  forward(step, ctx) {
    const [N, C, H, W] = dims4(ctx.shape(step.inputs.x));
    const [, , OH, OW] = dims4(ctx.shape(step.output));
    const taps = table(step.attrs, H, W);
    return [
      {
        spec: spec(taps.rows, false),
        bindings: [
          tensor(step.inputs.x),
          tensor(step.output),
          new Params().u32(N * C, H, W, OH, OW, 0).binding(),
          taps.params.binding(),
        ],
        grid: elementGroups(N * C * OH * OW),
      },
    ];
  },

  // dy (N, C, OH, OW) -> dx (N, C, H, W) (+)= the gathered output gradients times their tap weights
  backward(step, ctx) {
    const g = step.grads.x;
    if (!g) return [];
    const [N, C, H, W] = dims4(ctx.shape(step.inputs.x));
    const [, , OH, OW] = dims4(ctx.shape(step.output));
    const taps = table(step.attrs, H, W);
    return [
      {
        spec: spec(taps.rows, true),
        bindings: [
          tensor(step.gradOutput),
          tensor(g.tensor),
          new Params().u32(N * C, H, W, OH, OW, g.accumulate).binding(),
          taps.params.binding(),
        ],
        grid: elementGroups(N * C * H * W),
      },
    ];
  },
};
