// Conv2d's register-blocked passes on channels-last copies (shaders/conv2d_channels_last.wgsl: (N, H, W, G, CP),
// zero-padded), where a group has enough channels: vec4 loads of 4 channels instead of gathering one value at a
// time, which is what SwiftShader spends its time on. The weight gradient (conv2d_weight_grad_cl.wgsl: partial
// sums per chunk of positions, summed in a fixed order by conv2d_weight_grad_reduce.wgsl, no atomics); the
// forward and the stride-1 input gradient (conv2d_cl.wgsl, weights relaid out by conv2d_weights.wgsl).

import type { Conv2dAttrs } from '../compile/ops.ts';
import type { TensorId } from '../compile/program.ts';
import {
  type Geometry,
  gemmBlock,
  gradientReducePlan,
  positionBlock,
  positionGroups,
  roundUp,
  weightGradChunks,
} from './conv2d-passes.ts';
import { channelsLastTemplate, weightGradClTemplate } from './conv2d-unroll.ts';
import {
  type Binding,
  type DispatchPlan,
  elementGroups,
  Params,
  type PlanContext,
  tensor,
} from './dispatch-plan.ts';

/** Channels per block (input and output alike): 8 where a group has more than 4, else 4. */
const block = (channels: number) => (channels > 4 ? 8 : 4);

/**
 * Whether the channels-last kernel pays: from 3 input channels per group up it measured 1.1-2.4x faster than
 * the NCHW kernel on SwiftShader (chapter ResNet, batch 64), with 1 (LeNet's conv1) 2x slower, 3 of 4 lanes idle.
 */
export const channelsLastWeightGradPays = (geo: Geometry) => geo.Cg >= 3;

/**
 * Whether conv2d_cl (forward, stride-1 input gradient) pays for a conv reading `channels` input channels per
 * group: from 8 up it measured as fast as conv2d.wgsl to 1.7x faster on SwiftShader (chapter ResNet, batch
 * 64; the 32 -> 16 input gradient 1.7x); with 1, 3 or 6 (LeNet, the ResNet stem) 1.6-5x slower.
 */
export const channelsLastGemmPays = (channels: number) => channels >= 8;

/** A channels-last copy in its scratch, with its padded height and width. */
interface ChannelsLast {
  binding: Binding;
  hp: number;
  wp: number;
}

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
): ChannelsLast & { plan: DispatchPlan } {
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
    hp,
    wp,
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
  ctx: PlanContext,
): DispatchPlan[] {
  const [CB, OB] = [block(geo.Cg), block(geo.Og)];
  const [CP, OP] = [roundUp(geo.Cg, CB), roundUp(geo.Og, OB)];
  const cBlocks = CP / CB;
  const oBlocks = OP / OB;
  const taps = geo.KH * geo.KW;
  const tBlocks = taps * cBlocks;
  // Subgroup loads need a subgroup's 4 lanes to share chunk and output block. NOTE: padding the tap blocks to a
  // multiple of 4 measured no gain with 18 (ResNet 16 -> 16) and 1.5x slower with 2 (a 1x1 conv), so only
  // counts that divide take them (36 for 32 -> 32 3x3: 330 -> 293 ms at batch 64).
  const shared = ctx.subgroupLoads && tBlocks % 4 === 0;
  const perChunk = geo.G * oBlocks * tBlocks;
  const positions = geo.N * geo.OH * geo.OW;
  const { chunkSize, chunks } = weightGradChunks(positions, perChunk);
  const xCopy = channelsLastPlan(x, 'conv.input', [geo.N, geo.H, geo.W], geo.G, geo.Cg, CP, a.padding);
  const dyCopy = channelsLastPlan(dy, 'conv.gradient', [geo.N, geo.OH, geo.OW], geo.G, geo.Og, OP, [0, 0]);
  const partials: Binding = { scratch: 'conv.partials', bytes: chunks * perChunk * (CB + 1) * OB * 4 };
  const params = new Params().u32(xCopy.hp, xCopy.wp, geo.OH, geo.OW);
  params.u32(geo.G, CP, OP, positions, cBlocks, oBlocks, tBlocks, chunkSize, chunks, tBlocks, 0, 0);
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
        template: weightGradClTemplate(CB, OB, shared),
      },
      bindings: [xCopy.binding, dyCopy.binding, partials, params.binding()],
      grid: elementGroups(chunks * perChunk),
    },
    gradientReducePlan('conv2d_weight_grad_reduce', partials, dw, db, reduce, geo),
  ];
}

/** A channels-last implicit GEMM: `input` (already copied) conv the relaid-out `weights` into `output`. */
function channelsLastGemm(
  conv: {
    oh: number;
    ow: number;
    o: number;
    og: number;
    groups: number;
    cp: number;
    taps: number;
    kw: number;
    positions: number;
    bias?: TensorId;
    output: TensorId;
    accumulate: boolean;
  },
  a: Conv2dAttrs,
  input: ChannelsLast,
  weights: Binding,
  ctx: PlanContext,
): DispatchPlan {
  const { ob, padded } = gemmBlock(conv.og);
  const pb = positionBlock(ob);
  const oBlocks = padded / ob;
  const params = new Params().u32(
    input.hp,
    input.wp,
    conv.oh,
    conv.ow,
    conv.o,
    conv.og,
    conv.groups,
    conv.cp,
  );
  params.u32(padded, oBlocks, conv.bias !== undefined, conv.accumulate, conv.positions, conv.taps, 0, 0);
  return {
    spec: {
      name: 'conv2d_cl',
      bindings: ['read-only-storage', 'read-only-storage', 'read-only-storage', 'storage', 'uniform'],
      constants: {
        OB: ob,
        PB: pb,
        KW: conv.kw,
        SH: a.stride[0],
        SW: a.stride[1],
        DH: a.dilation[0],
        DW: a.dilation[1],
      },
      template: channelsLastTemplate(ob, pb, ctx.subgroupLoads),
    },
    bindings: [
      input.binding,
      weights,
      conv.bias === undefined ? { empty: true } : tensor(conv.bias),
      tensor(conv.output),
      params.binding(),
    ],
    grid: [positionGroups(Math.ceil(conv.positions / pb), ctx), conv.groups * oBlocks, 1],
  };
}

/** The weights in conv2d_cl's layout: 3, (G, taps, CP in, OGP out); 4, the flipped kernel for dx. */
function channelsLastWeights(geo: Geometry, weight: TensorId, relayout: 3 | 4, inP: number, outP: number) {
  const count = geo.G * geo.KH * geo.KW * inP * outP;
  // conv2d_weights' ogp / cgp: the padded output / input channel counts of the original weight.
  const [ogp, cgp] = relayout === 3 ? [outP, inP] : [inP, outP];
  const params = new Params().u32(count, geo.Og, geo.Cg, geo.KH * geo.KW, ogp, cgp, relayout);
  const binding: Binding = { scratch: 'conv.weights', bytes: count * 4 };
  const plan: DispatchPlan = {
    spec: { name: 'conv2d_weights', bindings: ['read-only-storage', 'storage', 'uniform'] },
    bindings: [tensor(weight), binding, params.binding()],
    grid: elementGroups(count),
  };
  return { plan, binding };
}

/** Forward through a channels-last copy of x. */
export function channelsLastForwardPlans(
  geo: Geometry,
  a: Conv2dAttrs,
  x: TensorId,
  weight: TensorId,
  bias: TensorId | undefined,
  y: TensorId,
  ctx: PlanContext,
): DispatchPlan[] {
  const CP = roundUp(geo.Cg, 4);
  const copy = channelsLastPlan(x, 'conv.input', [geo.N, geo.H, geo.W], geo.G, geo.Cg, CP, a.padding);
  const weights = channelsLastWeights(geo, weight, 3, CP, gemmBlock(geo.Og).padded);
  const gemm = channelsLastGemm(
    {
      oh: geo.OH,
      ow: geo.OW,
      o: geo.O,
      og: geo.Og,
      groups: geo.G,
      cp: CP,
      taps: geo.KH * geo.KW,
      kw: geo.KW,
      positions: geo.N * geo.OH * geo.OW,
      ...(bias !== undefined ? { bias } : {}),
      output: y,
      accumulate: false,
    },
    a,
    copy,
    weights.binding,
    ctx,
  );
  return [copy.plan, weights.plan, gemm];
}

/** The stride-1 input gradient: dy padded by (K - 1) * dilation - padding, conv the flipped kernel. */
export function channelsLastInputGradPlans(
  geo: Geometry,
  a: Conv2dAttrs,
  dy: TensorId,
  weight: TensorId,
  dx: { tensor: TensorId; accumulate: boolean },
  [top, left]: [number, number],
  ctx: PlanContext,
): DispatchPlan[] {
  const OP = roundUp(geo.Og, 4);
  const copy = channelsLastPlan(dy, 'conv.input', [geo.N, geo.OH, geo.OW], geo.G, geo.Og, OP, [top, left]);
  const weights = channelsLastWeights(geo, weight, 4, OP, gemmBlock(geo.Cg).padded);
  const gemm = channelsLastGemm(
    {
      oh: geo.H,
      ow: geo.W,
      o: geo.C,
      og: geo.Cg,
      groups: geo.G,
      cp: OP,
      taps: geo.KH * geo.KW,
      kw: geo.KW,
      positions: geo.N * geo.H * geo.W,
      output: dx.tensor,
      accumulate: dx.accumulate,
    },
    { ...a, stride: [1, 1] },
    copy,
    weights.binding,
    ctx,
  );
  return [copy.plan, weights.plan, gemm];
}
