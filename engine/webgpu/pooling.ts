// Max, average and adaptive-average pooling on the GPU (shaders/max_pool2d.wgsl, avg_pool2d.wgsl,
// adaptive_avg_pool2d.wgsl): an invocation per output (four for max) forward, a gather per input element backward.

import type { MaxPool2dAttrs } from '../compile/ops.ts';
import { dims4, elementGroups, type GpuKernel, Params, tensor } from './dispatch-plan.ts';

const MAX_BINDINGS = ['read-only-storage', 'storage', 'storage', 'uniform'] as const;
const AVG_BINDINGS = ['read-only-storage', 'storage', 'uniform'] as const;

/** The window and plane sizes max_pool2d.wgsl is specialised on (override constants). */
function maxWindow(a: MaxPool2dAttrs, H: number, W: number, OH: number, OW: number) {
  const [KH, KW] = a.kernelSize;
  const [SH, SW] = a.stride;
  const [PH, PW] = a.padding;
  const [DH, DW] = a.dilation;
  return { KH, KW, SH, SW, PH, PW, DH, DW, IN_H: H, IN_W: W, OUT_H: OH, OUT_W: OW };
}

export const maxPool2d: GpuKernel<'max_pool2d'> = {
  // x (N, C, H, W) -> y (N, C, OH, OW), indices (N, C, OH, OW)
  forward(step, ctx) {
    const [N, C, H, W] = dims4(ctx.shape(step.inputs.x));
    const [, , OH, OW] = dims4(ctx.shape(step.output));
    return [
      {
        spec: {
          name: 'max_pool2d',
          bindings: MAX_BINDINGS,
          constants: { BACKWARD: false, ...maxWindow(step.attrs, H, W, OH, OW) },
        },
        bindings: [
          tensor(step.inputs.x),
          tensor(step.saved.indices),
          tensor(step.output),
          new Params().u32(N * C, H, W, OH, OW, 0).binding(),
        ],
        grid: elementGroups(Math.ceil((N * C * OH * OW) / 4)),
      },
    ];
  },

  // dy (N, C, OH, OW) -> dx (N, C, H, W): each output's gradient at its maximum
  backward(step, ctx) {
    const g = step.grads.x;
    if (!g) return [];
    const [N, C, H, W] = dims4(ctx.shape(step.inputs.x));
    const [, , OH, OW] = dims4(ctx.shape(step.output));
    return [
      {
        spec: {
          name: 'max_pool2d',
          bindings: MAX_BINDINGS,
          constants: { BACKWARD: true, ...maxWindow(step.attrs, H, W, OH, OW) },
        },
        bindings: [
          tensor(step.gradOutput),
          tensor(step.saved.indices),
          tensor(g.tensor),
          new Params().u32(N * C, H, W, OH, OW, g.accumulate).binding(),
        ],
        grid: elementGroups(Math.ceil((N * C * H * W) / 4)),
      },
    ];
  },
};

export const avgPool2d: GpuKernel<'avg_pool2d'> = {
  // x (N, C, H, W) -> y (N, C, OH, OW)
  forward(step, ctx) {
    const [N, C, H, W] = dims4(ctx.shape(step.inputs.x));
    const [, , OH, OW] = dims4(ctx.shape(step.output));
    const a = step.attrs;
    const params = new Params().u32(N * C, H, W, OH, OW, ...a.kernelSize, ...a.stride, ...a.padding);
    params.u32(a.countIncludePad, 0);
    return [
      {
        spec: { name: 'avg_pool2d', bindings: AVG_BINDINGS, constants: { BACKWARD: false } },
        bindings: [tensor(step.inputs.x), tensor(step.output), params.binding()],
        grid: elementGroups(N * C * OH * OW),
      },
    ];
  },

  // dy (N, C, OH, OW) -> dx (N, C, H, W)
  backward(step, ctx) {
    const g = step.grads.x;
    if (!g) return [];
    const [N, C, H, W] = dims4(ctx.shape(step.inputs.x));
    const [, , OH, OW] = dims4(ctx.shape(step.output));
    const a = step.attrs;
    const params = new Params().u32(N * C, H, W, OH, OW, ...a.kernelSize, ...a.stride, ...a.padding);
    params.u32(a.countIncludePad, g.accumulate);
    return [
      {
        spec: { name: 'avg_pool2d', bindings: AVG_BINDINGS, constants: { BACKWARD: true } },
        bindings: [tensor(step.gradOutput), tensor(g.tensor), params.binding()],
        grid: elementGroups(N * C * H * W),
      },
    ];
  },
};

export const adaptiveAvgPool2d: GpuKernel<'adaptive_avg_pool2d'> = {
  // x (N, C, H, W) -> y (N, C, OH, OW)
  forward(step, ctx) {
    const [N, C, H, W] = dims4(ctx.shape(step.inputs.x));
    const [, , OH, OW] = dims4(ctx.shape(step.output));
    return [
      {
        spec: { name: 'adaptive_avg_pool2d', bindings: AVG_BINDINGS, constants: { BACKWARD: false } },
        bindings: [
          tensor(step.inputs.x),
          tensor(step.output),
          new Params().u32(N * C, H, W, OH, OW, 0).binding(),
        ],
        grid: elementGroups(N * C * OH * OW),
      },
    ];
  },

  // dy (N, C, OH, OW) -> dx (N, C, H, W)
  backward(step, ctx) {
    const g = step.grads.x;
    if (!g) return [];
    const [N, C, H, W] = dims4(ctx.shape(step.inputs.x));
    const [, , OH, OW] = dims4(ctx.shape(step.output));
    const params = new Params().u32(N * C, H, W, OH, OW, g.accumulate);
    return [
      {
        spec: { name: 'adaptive_avg_pool2d', bindings: AVG_BINDINGS, constants: { BACKWARD: true } },
        bindings: [tensor(step.gradOutput), tensor(g.tensor), params.binding()],
        grid: elementGroups(N * C * H * W),
      },
    ];
  },
};
