// Conv2d's workgroup-memory tiled variant (shaders/conv2d_tiled.wgsl), for hardware adapters: forward, input
// gradient and weight gradient as implicit GEMMs that gather straight from the tensors (no padding or weight
// relayout pass); the weight gradient splits the batch x positions reduction into chunks (one workgroup per
// output tile and chunk) summed in chunk order by conv2d_tiled_reduce.wgsl (deterministic, no atomics).

import type { Conv2dAttrs } from '../compile/ops.ts';
import type { TensorId } from '../compile/program.ts';
import { type Geometry, gradientReducePlan } from './conv2d-passes.ts';
import { type Binding, type DispatchPlan, Params, type PlanContext, tensor } from './dispatch-plan.ts';

/** Outputs per tile of conv2d_tiled.wgsl (256 invocations x 4 x 4). */
const TILE_OUTPUTS = 4096;
const TILE_SIDES = [16, 32, 64] as const;

/**
 * The output tile, rows x columns with rows * columns = 4096: 64 x 64, or narrower on the side the product is
 * narrow on (a conv with 6 output channels gets 256 x 16 tiles rather than leaving 58 of 64 columns idle).
 */
export function convTile(rows: number, cols: number): { tm: number; tn: number } {
  const side = (size: number) => TILE_SIDES.find((s) => s >= size) ?? 64;
  if (cols < 64) return { tm: TILE_OUTPUTS / side(cols), tn: side(cols) };
  if (rows < 64) return { tm: side(rows), tn: TILE_OUTPUTS / side(rows) };
  return { tm: 64, tn: 64 };
}

/** The weight gradient's chunks: about this many workgroups in all... */
const WEIGHT_GRAD_WORKGROUPS = 256;
/** ...with at least this many positions per chunk. */
const MIN_CHUNK_POSITIONS = 256;
const MAX_GRID = 65_535;

/** conv2d_tiled.wgsl's MODE: 0 forward, 1 input gradient, 2 weight (and bias) gradient partials. */
type Mode = 0 | 1 | 2;

const TILED_BINDINGS = [
  'read-only-storage',
  'read-only-storage',
  'read-only-storage',
  'storage',
  'uniform',
] as const;

function tiledPlan(
  mode: Mode,
  geo: Geometry,
  a: Conv2dAttrs,
  bindings: Binding[],
  grid: { cols: number; rows: number; depth: number },
  extra: { chunkSize?: number; hasBias?: boolean; accumulate?: boolean },
  ctx: PlanContext,
): DispatchPlan {
  const { tm, tn } = convTile(grid.rows, grid.cols);
  const rowTiles = Math.ceil(grid.rows / tm);
  const params = new Params().u32(geo.N, geo.C, geo.H, geo.W, geo.O, geo.OH, geo.OW, geo.Og);
  params.u32(
    geo.Cg,
    geo.G,
    extra.chunkSize ?? 0,
    extra.hasBias ?? false,
    extra.accumulate ?? false,
    rowTiles,
    0,
    0,
  );
  return {
    spec: {
      name: 'conv2d_tiled',
      bindings: TILED_BINDINGS,
      constants: {
        MODE: mode,
        KH: geo.KH,
        KW: geo.KW,
        SH: a.stride[0],
        SW: a.stride[1],
        DH: a.dilation[0],
        DW: a.dilation[1],
        PH: a.padding[0],
        PW: a.padding[1],
        TM: tm,
        TN: tn,
      },
    },
    bindings: [...bindings, params.binding()],
    // Row tiles past the context's cap are looped over by the kernel.
    grid: [Math.ceil(grid.cols / tn), Math.min(rowTiles, ctx.maxWorkgroups), grid.depth],
  };
}

/** y = conv(x, weight) (+ bias): rows = N*OH*OW positions, columns = Og channels per group. */
export function tiledForwardPlans(
  geo: Geometry,
  a: Conv2dAttrs,
  x: TensorId,
  weight: TensorId,
  bias: TensorId | undefined,
  y: TensorId,
  ctx: PlanContext,
): DispatchPlan[] {
  const bindings: Binding[] = [
    tensor(x),
    tensor(weight),
    bias === undefined ? { empty: true } : tensor(bias),
    tensor(y),
  ];
  const grid = { cols: geo.Og, rows: geo.N * geo.OH * geo.OW, depth: geo.G };
  return [tiledPlan(0, geo, a, bindings, grid, { hasBias: bias !== undefined }, ctx)];
}

/** dx (+)= the input gradient: rows = N*H*W input positions, columns = Cg channels per group; any stride. */
export function tiledInputGradPlans(
  geo: Geometry,
  a: Conv2dAttrs,
  dy: TensorId,
  weight: TensorId,
  dx: { tensor: TensorId; accumulate: boolean },
  ctx: PlanContext,
): DispatchPlan[] {
  const bindings: Binding[] = [tensor(dy), tensor(weight), { empty: true }, tensor(dx.tensor)];
  const grid = { cols: geo.Cg, rows: geo.N * geo.H * geo.W, depth: geo.G };
  return [tiledPlan(1, geo, a, bindings, grid, { accumulate: dx.accumulate }, ctx)];
}

/**
 * Chunks of the N*OH*OW reduction: enough workgroups to fill a GPU (about WEIGHT_GRAD_WORKGROUPS), at least
 * MIN_CHUNK_POSITIONS positions each. Depends only on the shapes, so results repeat bit for bit.
 */
export function tiledWeightGradChunks(
  geo: Geometry,
  hasBias: boolean,
): { chunkSize: number; chunks: number } {
  const positions = geo.N * geo.OH * geo.OW;
  const cols = geo.K + (hasBias ? 1 : 0);
  const { tm, tn } = convTile(geo.Og, cols);
  const tiles = geo.G * Math.ceil(geo.Og / tm) * Math.ceil(cols / tn);
  const wanted = Math.max(
    1,
    Math.min(
      Math.ceil(WEIGHT_GRAD_WORKGROUPS / tiles),
      Math.ceil(positions / MIN_CHUNK_POSITIONS),
      Math.floor(MAX_GRID / geo.G),
    ),
  );
  const chunkSize = Math.ceil(positions / wanted / 8) * 8;
  return { chunkSize, chunks: Math.ceil(positions / chunkSize) };
}

/** dweight and dbias (+)=: per-chunk partial GEMMs dy^T x, then their sum in chunk order. */
export function tiledWeightGradPlans(
  geo: Geometry,
  a: Conv2dAttrs,
  x: TensorId,
  dy: TensorId,
  dw: { tensor: TensorId; accumulate: boolean } | undefined,
  db: { tensor: TensorId; accumulate: boolean } | undefined,
  ctx: PlanContext,
): DispatchPlan[] {
  const hasBias = db !== undefined;
  const { chunkSize, chunks } = tiledWeightGradChunks(geo, hasBias);
  const count = geo.G * geo.Og * (geo.K + 1);
  const partials: Binding = { scratch: 'conv.partials', bytes: chunks * count * 4 };
  const grid = { cols: geo.K + (hasBias ? 1 : 0), rows: geo.Og, depth: geo.G * chunks };
  const reduce = new Params().u32(count, geo.K, chunks, dw !== undefined, hasBias);
  reduce.u32(dw?.accumulate ?? false, db?.accumulate ?? false, 0);
  return [
    tiledPlan(
      2,
      geo,
      a,
      [tensor(dy), tensor(x), { empty: true }, partials],
      grid,
      { chunkSize, hasBias },
      ctx,
    ),
    gradientReducePlan('conv2d_tiled_reduce', partials, dw, db, reduce, geo),
  ];
}
