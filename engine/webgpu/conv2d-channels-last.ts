// Conv2d's weight gradient from channels-last copies of x and dy (shaders/conv2d_channels_last.wgsl, then
// conv2d_weight_grad_cl.wgsl): each position of the reduction costs a vec4 load or two of each copy instead of a
// gather per value, which is what the NCHW kernel (conv2d_weight_grad.wgsl) spends its time on. Partial sums per
// chunk of positions, summed in a fixed order by conv2d_weight_grad_reduce.wgsl (deterministic, no atomics).

import type { Conv2dAttrs } from '../compile/ops.ts';
import type { TensorId } from '../compile/program.ts';
import { type Geometry, gradientReducePlan, roundUp, weightGradChunks } from './conv2d-passes.ts';
import { type Binding, type DispatchPlan, elementGroups, Params, tensor } from './dispatch-plan.ts';

/** Channels per block (input and output alike): 8 where a group has more than 4, else 4. */
const block = (channels: number) => (channels > 4 ? 8 : 4);

/**
 * Whether the channels-last kernel pays: from 3 input channels per group up it measured 1.1-2.4x faster than
 * the NCHW kernel on SwiftShader (chapter ResNet, batch 64), with 1 (LeNet's conv1) 2x slower, 3 of 4 lanes idle.
 */
export const channelsLastPays = (geo: Geometry) => geo.Cg >= 3;

/**
 * The channels-last copy of `source` (N, groups x cg, h, w) into `scratch`: (N, h + 2 top, w + 2 left, groups,
 * cp), zero outside the tensor and past cg.
 */
function channelsLastPlan(
  source: TensorId,
  scratch: 'conv.input' | 'conv.gradient',
  [n, h, w]: [number, number, number],
  groups: number,
  cg: number,
  cp: number,
  [top, left]: readonly [number, number],
): { plan: DispatchPlan; binding: Binding } {
  const [hp, wp] = [h + 2 * top, w + 2 * left];
  const positions = n * hp * wp;
  const binding: Binding = { scratch, bytes: positions * groups * cp * 4 };
  const params = new Params().u32(n, groups * cg, h, w, hp, wp, top, left, groups, cg, cp, 0);
  return {
    plan: {
      spec: { name: 'conv2d_channels_last', bindings: ['read-only-storage', 'storage', 'uniform'] },
      bindings: [tensor(source), binding, params.binding()],
      grid: elementGroups(positions),
    },
    binding,
  };
}

/** Weight and bias gradients through the channels-last copies: partial sums per chunk, then their sum. */
export function channelsLastWeightGradPlans(
  geo: Geometry,
  a: Conv2dAttrs,
  x: TensorId,
  dy: TensorId,
  dw: { tensor: TensorId; accumulate: boolean } | undefined,
  db: { tensor: TensorId; accumulate: boolean } | undefined,
): DispatchPlan[] {
  const [CB, OB] = [block(geo.Cg), block(geo.Og)];
  const [CP, OP] = [roundUp(geo.Cg, CB), roundUp(geo.Og, OB)];
  const cBlocks = CP / CB;
  const oBlocks = OP / OB;
  const taps = geo.KH * geo.KW;
  const tBlocks = taps * cBlocks;
  const perChunk = geo.G * oBlocks * tBlocks;
  const positions = geo.N * geo.OH * geo.OW;
  const { chunkSize, chunks } = weightGradChunks(positions, perChunk);
  const xCopy = channelsLastPlan(x, 'conv.input', [geo.N, geo.H, geo.W], geo.G, geo.Cg, CP, a.padding);
  const dyCopy = channelsLastPlan(dy, 'conv.gradient', [geo.N, geo.OH, geo.OW], geo.G, geo.Og, OP, [0, 0]);
  const partials: Binding = { scratch: 'conv.partials', bytes: chunks * perChunk * (CB + 1) * OB * 4 };
  const params = new Params().u32(geo.H + 2 * a.padding[0], geo.W + 2 * a.padding[1], geo.OH, geo.OW);
  params.u32(geo.G, CP, OP, positions, cBlocks, oBlocks, tBlocks, chunkSize, chunks, 0, 0, 0);
  const reduce = new Params().u32(geo.Og, geo.G, geo.K, db !== undefined, dw !== undefined, oBlocks);
  reduce.u32(tBlocks, chunks, dw?.accumulate ?? false, db?.accumulate ?? false, OB, 1, CB, cBlocks, taps, 0);
  return [
    xCopy.plan,
    dyCopy.plan,
    {
      spec: {
        name: 'conv2d_weight_grad_cl',
        bindings: ['read-only-storage', 'read-only-storage', 'storage', 'uniform'],
        constants: {
          CB,
          OB,
          KW: geo.KW,
          SH: a.stride[0],
          SW: a.stride[1],
          DH: a.dilation[0],
          DW: a.dilation[1],
        },
      },
      bindings: [xCopy.binding, dyCopy.binding, partials, params.binding()],
      grid: elementGroups(chunks * perChunk),
    },
    gradientReducePlan('conv2d_weight_grad_reduce', partials, dw, db, reduce, geo),
  ];
}
