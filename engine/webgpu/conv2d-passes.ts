// The dispatches conv2d is built from: zero padding (shaders/conv2d_pad.wgsl), weight relayouts
// (conv2d_weights.wgsl), the implicit-GEMM kernel (conv2d.wgsl) that runs the forward pass and the stride-1
// input gradient, the strided input gradient (conv2d_input_grad.wgsl) and the chunked weight gradient
// (conv2d_weight_grad.wgsl + conv2d_weight_grad_reduce.wgsl).

import type { Conv2dAttrs, Shape } from '../compile/ops.ts';
import type { TensorId } from '../compile/program.ts';
import { forwardTemplate, weightGradTemplate } from './conv2d-unroll.ts';
import {
  type Binding,
  type DispatchPlan,
  dims4,
  elementGroups,
  Params,
  type PlanContext,
  tensor,
} from './dispatch-plan.ts';

export const roundUp = (value: number, multiple: number) => Math.ceil(value / multiple) * multiple;

/** Shapes and window of one conv; Og, Cg per group, K = Cg * KH * KW. */
export function convGeometry(attrs: Conv2dAttrs, x: Shape, weight: Shape, y: Shape) {
  const [N, C, H, W] = dims4(x);
  const [O, Cg, KH, KW] = dims4(weight);
  const [, , OH, OW] = dims4(y);
  const G = attrs.groups;
  return { N, C, H, W, O, Cg, KH, KW, OH, OW, G, Og: O / G, K: Cg * KH * KW };
}
export type Geometry = ReturnType<typeof convGeometry>;

/** Multiply-adds x 2 of each conv pass (all three are the same count), for benchmarks. */
export function convFlops(geo: Geometry): { forward: number; inputGrad: number; weightGrad: number } {
  const flops = 2 * geo.N * geo.O * geo.OH * geo.OW * geo.K;
  return { forward: flops, inputGrad: flops, weightGrad: flops };
}

/** Channels per invocation (vec4 registers): as many as a group fills, up to `most`. */
export const channelBlock = (channels: number, most: 8 | 16) =>
  channels > 8 && most === 16 ? 16 : channels > 4 ? 8 : 4;

/** Workgroups along x for `blocks` blocks of positions, at most the context's cap (the kernels loop). */
export function positionGroups(blocks: number, ctx: PlanContext): number {
  return Math.max(1, Math.min(Math.ceil(blocks / 64), ctx.maxWorkgroups));
}

/** `source` (N*C planes of h x w) zero-padded into the 'conv.input' scratch; none when nothing is added. */
export function padPlans(
  source: TensorId,
  planes: number,
  h: number,
  w: number,
  top: number,
  left: number,
): { plans: DispatchPlan[]; input: Binding; hp: number; wp: number } {
  const [hp, wp] = [h + 2 * top, w + 2 * left];
  if (top === 0 && left === 0) return { plans: [], input: tensor(source), hp, wp };
  const scratch: Binding = { scratch: 'conv.input', bytes: planes * hp * wp * 4 };
  const plan: DispatchPlan = {
    spec: { name: 'conv2d_pad', bindings: ['read-only-storage', 'storage', 'uniform'] },
    bindings: [tensor(source), scratch, new Params().u32(planes, h, w, top, left, hp, wp).binding()],
    grid: [Math.ceil(wp / 16), Math.ceil(hp / 4), Math.min(planes, 65_535)],
  };
  return { plans: [plan], input: scratch, hp, wp };
}

/** The weights relaid out into the 'conv.weights' scratch (see conv2d_weights.wgsl for the layouts). */
export function relayoutPlan(
  geo: Geometry,
  weight: TensorId,
  relayout: 0 | 1 | 2,
  padded: number,
): DispatchPlan {
  const perGroup = relayout === 0 ? geo.K : geo.KH * geo.KW * geo.Og;
  const count = geo.G * perGroup * padded;
  const params = new Params().u32(count, geo.Og, geo.Cg, geo.KH * geo.KW);
  params.u32(relayout === 0 ? padded : 0, relayout === 0 ? 0 : padded, relayout);
  return {
    spec: { name: 'conv2d_weights', bindings: ['read-only-storage', 'storage', 'uniform'] },
    bindings: [tensor(weight), { scratch: 'conv.weights', bytes: count * 4 }, params.binding()],
    grid: elementGroups(count),
  };
}

/** One run of the implicit-GEMM kernel: a conv of an already padded input with relaid-out weights. */
export interface GemmConv {
  input: Binding;
  n: number;
  /** Channels of the input tensor, its padded height and width. */
  c: number;
  hp: number;
  wp: number;
  /** Channels of the output tensor and its height and width. */
  o: number;
  oh: number;
  ow: number;
  groups: number;
  /** Input and output channels per group. */
  cg: number;
  og: number;
  kh: number;
  kw: number;
  stride: readonly [number, number];
  dilation: readonly [number, number];
  bias?: TensorId;
  output: TensorId;
  accumulate: boolean;
}

/** Output channels per invocation of conv2d.wgsl and the padded channel count its weight layout needs. */
export function gemmBlock(og: number): { ob: number; padded: number } {
  const ob = channelBlock(og, 16);
  return { ob, padded: roundUp(og, ob) };
}

/** Output positions per invocation of the GEMM kernels: 8 when a block has 8 or fewer channels, else 4. */
export const positionBlock = (ob: number) => (ob <= 8 ? 8 : 4);

export function gemmPlan(conv: GemmConv, ctx: PlanContext): DispatchPlan {
  const { ob, padded } = gemmBlock(conv.og);
  const pb = positionBlock(ob);
  const oBlocks = padded / ob;
  const params = new Params().u32(conv.n, conv.c, conv.hp, conv.wp, conv.o, conv.oh, conv.ow, conv.og);
  params.u32(conv.cg, padded, conv.bias !== undefined, oBlocks, conv.accumulate);
  const attrs = { stride: conv.stride, dilation: conv.dilation } as Conv2dAttrs;
  return {
    spec: {
      name: 'conv2d',
      bindings: ['read-only-storage', 'read-only-storage', 'read-only-storage', 'storage', 'uniform'],
      constants: { OB: ob, PB: pb, KH: conv.kh, SH: conv.stride[0], SW: conv.stride[1] },
      template: forwardTemplate(attrs, conv.kh, conv.kw, conv.cg, ob, pb, ctx.subgroupLoads),
    },
    bindings: [
      conv.input,
      { scratch: 'conv.weights', bytes: conv.groups * conv.cg * conv.kh * conv.kw * padded * 4 },
      conv.bias === undefined ? { empty: true } : tensor(conv.bias),
      tensor(conv.output),
      params.binding(),
    ],
    grid: [positionGroups(Math.ceil((conv.n * conv.oh * conv.ow) / pb), ctx), conv.groups * oBlocks, 1],
  };
}

/** The window the gradient kernels are specialised on (override constants). */
function windowConstants(geo: Geometry, a: Conv2dAttrs) {
  return { KH: geo.KH, KW: geo.KW, SH: a.stride[0], SW: a.stride[1], DH: a.dilation[0], DW: a.dilation[1] };
}

/** The strided input gradient: a gather per input position over the outputs that read it. */
export function stridedInputGradPlans(
  geo: Geometry,
  a: Conv2dAttrs,
  weight: TensorId,
  dy: TensorId,
  dx: TensorId,
  accumulate: boolean,
  ctx: PlanContext,
): DispatchPlan[] {
  const CB = channelBlock(geo.Cg, 8);
  const CGP = roundUp(geo.Cg, CB);
  const cBlocks = CGP / CB;
  const params = new Params().u32(geo.N, geo.C, geo.H, geo.W, geo.O, geo.OH, geo.OW, geo.Og);
  params.u32(geo.Cg, CGP, ...a.padding, cBlocks, accumulate);
  return [
    relayoutPlan(geo, weight, 1, CGP),
    {
      spec: {
        name: 'conv2d_input_grad',
        bindings: ['read-only-storage', 'read-only-storage', 'storage', 'uniform'],
        constants: { CB, ...windowConstants(geo, a) },
      },
      bindings: [
        tensor(dy),
        { scratch: 'conv.weights', bytes: geo.G * geo.KH * geo.KW * geo.Og * CGP * 4 },
        tensor(dx),
        params.binding(),
      ],
      grid: [positionGroups(Math.ceil((geo.N * geo.H * geo.W) / 4), ctx), geo.G * cBlocks, 1],
    },
  ];
}

/**
 * Chunks of the N*OH*OW reduction for the weight gradient: enough invocations to fill the device (about
 * 4096), at least 64 positions per chunk. Depends only on the shapes, so results repeat bit for bit.
 */
export function weightGradChunks(positions: number, perChunk: number): { chunkSize: number; chunks: number } {
  const wanted = Math.min(Math.max(1, Math.ceil(4096 / perChunk)), Math.max(1, Math.ceil(positions / 64)));
  const chunkSize = Math.ceil(positions / wanted);
  return { chunkSize, chunks: Math.ceil(positions / chunkSize) };
}

/** Weight and bias gradients: partial sums per chunk of positions, then a fixed-order reduction. */
export function weightGradPlans(
  geo: Geometry,
  a: Conv2dAttrs,
  x: TensorId,
  dy: TensorId,
  dw: { tensor: TensorId; accumulate: boolean } | undefined,
  db: { tensor: TensorId; accumulate: boolean } | undefined,
): DispatchPlan[] {
  const OB = channelBlock(geo.Og, 8);
  const oBlocks = Math.ceil(geo.Og / OB);
  const tBlocks = Math.ceil((geo.K + (db ? 1 : 0)) / 4);
  const perChunk = geo.G * oBlocks * tBlocks;
  const { chunkSize, chunks } = weightGradChunks(geo.N * geo.OH * geo.OW, perChunk);
  const partials: Binding = { scratch: 'conv.partials', bytes: chunks * perChunk * OB * 4 * 4 };
  const input = padPlans(x, geo.N * geo.C, geo.H, geo.W, a.padding[0], a.padding[1]);
  const params = new Params().u32(geo.N, geo.C, input.hp, input.wp, geo.O, geo.OH, geo.OW, geo.Og);
  params.u32(geo.Cg, db !== undefined, oBlocks, tBlocks, chunkSize, chunks, geo.G, 0);
  const reduce = new Params().u32(geo.Og, geo.G, geo.K, db !== undefined, dw !== undefined, oBlocks);
  reduce.u32(tBlocks, chunks, dw?.accumulate ?? false, db?.accumulate ?? false, OB, 0, 0, 0, 0, 0);
  return [
    ...input.plans,
    {
      spec: {
        name: 'conv2d_weight_grad',
        bindings: ['read-only-storage', 'read-only-storage', 'storage', 'uniform'],
        constants: { OB, ...windowConstants(geo, a) },
        template: weightGradTemplate(OB),
      },
      bindings: [input.input, tensor(dy), partials, params.binding()],
      grid: elementGroups(chunks * perChunk),
    },
    gradientReducePlan('conv2d_weight_grad_reduce', partials, dw, db, reduce, geo),
  ];
}

/**
 * The fixed-order sum of a weight gradient's per-chunk partials into dweight and dbias (+)=, one invocation per
 * weight and bias value; `shader` is the variant's own (each lays its partials out its own way).
 */
export function gradientReducePlan(
  shader: string,
  partials: Binding,
  dw: { tensor: TensorId } | undefined,
  db: { tensor: TensorId } | undefined,
  params: Params,
  geo: Geometry,
): DispatchPlan {
  return {
    spec: { name: shader, bindings: ['read-only-storage', 'storage', 'storage', 'uniform'] },
    bindings: [
      partials,
      dw ? tensor(dw.tensor) : { empty: true },
      db ? tensor(db.tensor) : { empty: true },
      params.binding(),
    ],
    grid: elementGroups(geo.G * geo.Og * (geo.K + 1)),
  };
}
