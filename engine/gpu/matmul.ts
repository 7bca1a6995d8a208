// Matmul on the GPU: out = op(A) * op(B) (+ bias) (+ out), in two kernel variants chosen per adapter.
/// <reference types="@webgpu/types" />

import type { WorkgroupGrid } from './dispatch.ts';
import { BufferUsage, TENSOR_USAGE } from './flags.ts';
import type { BindingKind, CompiledKernel, KernelSpec } from './pipeline-cache.ts';
import type { GpuRuntime } from './runtime.ts';

/**
 * tiled: 64x64 output tiles staged in workgroup memory (shaders/matmul_tiled.wgsl), for real GPUs.
 * blocked4x4 / blocked8x8: 4x4 or 8x8 outputs per invocation in registers, vec4 loads, no workgroup memory
 * (shaders/matmul_blocked.wgsl), for SwiftShader and other CPU-like adapters.
 */
export const MATMUL_VARIANTS = ['tiled', 'blocked4x4', 'blocked8x8'] as const;
export type MatmulVariant = (typeof MATMUL_VARIANTS)[number];

/**
 * op(A) is m x k and op(B) is k x n; out is m x n; all row-major float32.
 * A is stored [m, k], or [k, m] when transposeA; B is stored [k, n], or [n, k] when transposeB.
 * Linear: y = x W^T + b is {m: batch, k: in, n: out, transposeB, bias}; its gradients are
 * dx = dy W {m: batch, k: out, n: in} and dW += dy^T x {m: out, k: batch, n: in, transposeA, accumulate}.
 */
export interface MatmulShape {
  m: number;
  n: number;
  k: number;
  transposeA?: boolean;
  transposeB?: boolean;
  /** Add bias[n] to every row. */
  bias?: boolean;
  /** Add the result to what out holds (gradient accumulation) instead of overwriting it. */
  accumulate?: boolean;
  /** Independent products in one dispatch (grid z); at most 65,535. */
  batch?: number;
  /** Elements between consecutive matrices; 0 shares one matrix across the batch. Default: dense. */
  batchStrideA?: number;
  batchStrideB?: number;
  batchStrideOut?: number;
  /**
   * Split-K: the k range cut into this many chunks, each product into a partials buffer, then summed in chunk
   * order (deterministic). Default: the shape rule `matmulSplit` (split only a large k with few output tiles);
   * 1 turns it off.
   */
  splitK?: number;
}

export interface MatmulBuffers {
  a: GPUBuffer;
  b: GPUBuffer;
  out: GPUBuffer;
  bias?: GPUBuffer;
  /** Split-K partials (`splitPartialsBytes`); prepareMatmul provides its own when left out. */
  partials?: GPUBuffer;
}

/** A matmul compiled for one shape: encode it into any number of passes, then release() its uniform buffer. */
export interface PreparedMatmul {
  readonly shape: Readonly<MatmulShape>;
  readonly variant: MatmulVariant;
  readonly kernel: CompiledKernel;
  encode(pass: GPUComputePassEncoder, buffers: MatmulBuffers): void;
  release(): void;
}

const TILED_BINDINGS: readonly BindingKind[] = [
  'read-only-storage',
  'read-only-storage',
  'read-only-storage',
  'storage',
  'uniform',
];
const BLOCKED_BINDINGS: readonly BindingKind[] = [
  ...TILED_BINDINGS,
  'read-only-storage',
  'read-only-storage',
];
const BLOCKED_WORKGROUP = 8;
const REDUCE_BINDINGS: readonly BindingKind[] = [
  'read-only-storage',
  'read-only-storage',
  'storage',
  'uniform',
];
/** Threads per workgroup of matmul_split_reduce.wgsl. */
const REDUCE_WORKGROUP = 64;

/** Split-K rule: only when k is at least this long... */
export const SPLIT_MIN_K = 1024;
/** ...and the output tiles (times the batch) are fewer than this many workgroups; splits fill up to it. */
export const SPLIT_TARGET_WORKGROUPS = 64;
/** Each chunk keeps at least this many k (a multiple of 8: whole vec4s, whole TILE_K steps). */
export const SPLIT_MIN_CHUNK = 256;

/** The shape with every default filled in; throws a RangeError naming the bad field. */
export function normalizeShape(shape: MatmulShape): Required<MatmulShape> {
  const { m, n, k } = shape;
  const batch = shape.batch ?? 1;
  for (const [name, value] of Object.entries({ m, n, k, batch }))
    if (!Number.isInteger(value) || value < 1)
      throw new RangeError(`Matmul ${name} must be a positive integer, got ${value}`);
  const full: Required<MatmulShape> = {
    m,
    n,
    k,
    transposeA: shape.transposeA ?? false,
    transposeB: shape.transposeB ?? false,
    bias: shape.bias ?? false,
    accumulate: shape.accumulate ?? false,
    batch,
    batchStrideA: shape.batchStrideA ?? m * k,
    batchStrideB: shape.batchStrideB ?? k * n,
    batchStrideOut: shape.batchStrideOut ?? m * n,
    splitK: shape.splitK ?? 0,
  };
  if (full.batchStrideOut < m * n)
    throw new RangeError('Matmul batchStrideOut is smaller than one output matrix');
  if (!Number.isInteger(full.splitK) || full.splitK < 0)
    throw new RangeError(`Matmul splitK must be a non-negative integer, got ${full.splitK}`);
  return full;
}

/** How a matmul's k range is cut: `splits` chunks of `chunk` k (the last may be shorter); 1 = not split. */
export interface MatmulSplit {
  splits: number;
  chunk: number;
}

/** Output rows (and columns) one workgroup of a variant covers. */
function workgroupSpan(variant: MatmulVariant): number {
  return variant === 'blocked4x4' ? 4 * BLOCKED_WORKGROUP : 64;
}

/**
 * The split-K shape rule: a long k over few output tiles (Linear 32768 -> 10 at batch 64 is one 64x64 tile
 * whose few invocations each loop over all of k) is cut into chunks until the grid has about
 * SPLIT_TARGET_WORKGROUPS workgroups. `shape.splitK` overrides it (1: never split). Depends only on the shape
 * and variant, so results repeat bit for bit.
 */
export function matmulSplit(shape: MatmulShape, variant: MatmulVariant): MatmulSplit {
  const s = normalizeShape(shape);
  const span = workgroupSpan(variant);
  const tiles = Math.ceil(s.m / span) * Math.ceil(s.n / span) * s.batch;
  let wanted = s.splitK;
  if (wanted === 0)
    wanted =
      s.k >= SPLIT_MIN_K && tiles < SPLIT_TARGET_WORKGROUPS
        ? Math.min(Math.ceil(SPLIT_TARGET_WORKGROUPS / tiles), Math.floor(s.k / SPLIT_MIN_CHUNK))
        : 1;
  if (wanted <= 1) return { splits: 1, chunk: s.k };
  // Chunks of whole vec4s and whole 8-k tile steps, so every chunk but the last is full.
  const chunk = Math.ceil(s.k / wanted / 8) * 8;
  const splits = Math.ceil(s.k / chunk);
  if (splits * s.batch > 65_535) throw new RangeError('Matmul splitK x batch is past 65,535');
  return splits <= 1 ? { splits: 1, chunk: s.k } : { splits, chunk };
}

/** Bytes of the split-K partials buffer: one m x n product per chunk and batch entry (16 when not split). */
export function splitPartialsBytes(shape: MatmulShape, split: MatmulSplit): number {
  const s = normalizeShape(shape);
  return split.splits > 1 ? split.splits * s.batch * s.m * s.n * 4 : 16;
}

/** The main kernel's uniform: sizes, batch strides, and the split-K chunk and count. */
export function matmulParams(shape: MatmulShape, split: MatmulSplit): Uint32Array {
  const s = normalizeShape(shape);
  return new Uint32Array([
    s.m,
    s.n,
    s.k,
    s.batchStrideA,
    s.batchStrideB,
    s.batchStrideOut,
    split.chunk,
    split.splits,
  ]);
}

/** The reduction of split-K partials into out (bias and accumulation applied there), and its uniform. */
export function splitReduceKernel(
  shape: MatmulShape,
  split: MatmulSplit,
): { spec: KernelSpec; grid: number; params: Uint32Array } {
  const s = normalizeShape(shape);
  const count = s.batch * s.m * s.n;
  return {
    spec: { name: 'matmul_split_reduce', bindings: REDUCE_BINDINGS },
    grid: Math.ceil(count / REDUCE_WORKGROUP),
    params: new Uint32Array([
      s.m * s.n,
      s.n,
      split.splits,
      count,
      s.batchStrideOut,
      +s.bias,
      +s.accumulate,
      0,
    ]),
  };
}

/** The kernel spec and grid for one variant and shape (the spec is the pipeline cache key). */
export function matmulKernel(
  variant: MatmulVariant,
  shape: MatmulShape,
): { spec: KernelSpec; grid: WorkgroupGrid; split: MatmulSplit } {
  const s = normalizeShape(shape);
  const split = matmulSplit(s, variant);
  const splitting = split.splits > 1;
  // NOTE: when split, the kernel writes plain partial products; bias and accumulation happen in the reduction.
  const common = {
    TRANSPOSE_A: s.transposeA,
    TRANSPOSE_B: s.transposeB,
    HAS_BIAS: s.bias && !splitting,
    ACCUMULATE: s.accumulate && !splitting,
    SPLIT_K: splitting,
  };
  const depth = s.batch * split.splits;
  if (variant === 'tiled')
    return {
      spec: { name: 'matmul_tiled', bindings: TILED_BINDINGS, constants: common },
      grid: [Math.ceil(s.n / 64), Math.ceil(s.m / 64), depth],
      split,
    };
  const block = variant === 'blocked8x8' ? 8 : 4;
  // vec4 loads need whole vec4 rows in storage: the stored row length and the batch stride divisible by 4
  // (split chunks are multiples of 8, so a chunk starts on a whole vec4).
  const rowA = s.transposeA ? s.m : s.k;
  const rowB = s.transposeB ? s.k : s.n;
  const constants = {
    ...common,
    VEC4_A: rowA % 4 === 0 && s.batchStrideA % 4 === 0,
    VEC4_B: rowB % 4 === 0 && s.batchStrideB % 4 === 0,
    BLOCK: block,
    WG_X: BLOCKED_WORKGROUP,
    WG_Y: BLOCKED_WORKGROUP,
  };
  const span = block * BLOCKED_WORKGROUP;
  return {
    spec: { name: 'matmul_blocked', bindings: BLOCKED_BINDINGS, constants },
    grid: [Math.ceil(s.n / span), Math.ceil(s.m / span), depth],
    split,
  };
}

/** Compiles (or finds) the kernels and writes the shape's parameters once. */
export async function prepareMatmul(
  runtime: GpuRuntime,
  shape: MatmulShape,
  variant: MatmulVariant,
): Promise<PreparedMatmul> {
  const s = normalizeShape(shape);
  const { spec, grid, split } = matmulKernel(variant, s);
  const reduce = split.splits > 1 ? splitReduceKernel(s, split) : null;
  const [kernel, reduceKernel] = await Promise.all([
    runtime.kernel(spec),
    reduce ? runtime.kernel(reduce.spec) : null,
  ]);
  const usage = BufferUsage.UNIFORM | BufferUsage.COPY_DST;
  const uniform = runtime.upload(matmulParams(s, split), usage, `${spec.name} params`);
  const reduceUniform = reduce ? runtime.upload(reduce.params, usage, 'matmul_split_reduce params') : null;
  const ownPartials = reduce
    ? runtime.buffers.acquire(splitPartialsBytes(s, split), TENSOR_USAGE, 'matmul partials')
    : null;
  let cached: { key: MatmulBuffers; groups: GPUBindGroup[] } | null = null;
  let released = false;
  return {
    shape: s,
    variant,
    kernel,
    encode(pass, buffers) {
      if (released) throw new Error('This matmul was released');
      if (!cached || !sameBuffers(cached.key, buffers)) {
        checkSizes(s, buffers);
        const bias = buffers.bias ?? runtime.emptyStorage();
        const partials = buffers.partials ?? ownPartials;
        const target = reduce ? partials! : buffers.out;
        const resources = [buffers.a, buffers.b, reduce ? runtime.emptyStorage() : bias, target, uniform];
        if (spec.name === 'matmul_blocked') resources.push(buffers.a, buffers.b);
        const groups = [runtime.bind(kernel, resources)];
        if (reduceKernel && reduceUniform)
          groups.push(runtime.bind(reduceKernel, [partials!, bias, buffers.out, reduceUniform]));
        cached = { key: { ...buffers }, groups };
      }
      runtime.dispatch(pass, kernel, cached.groups[0]!, grid);
      if (reduce && reduceKernel) runtime.dispatch(pass, reduceKernel, cached.groups[1]!, reduce.grid);
    },
    release() {
      if (released) return;
      released = true;
      for (const buffer of [uniform, reduceUniform, ownPartials]) if (buffer) runtime.buffers.release(buffer);
    },
  };
}

/** One matmul in its own submission (tests, one-off work). Training steps encode prepared matmuls instead. */
export async function runMatmul(
  runtime: GpuRuntime,
  buffers: MatmulBuffers,
  shape: MatmulShape,
  variant: MatmulVariant,
): Promise<void> {
  const op = await prepareMatmul(runtime, shape, variant);
  runtime.submit((encoder) => {
    const pass = encoder.beginComputePass({ label: `matmul ${variant}` });
    op.encode(pass, buffers);
    pass.end();
  });
  op.release();
}

function sameBuffers(x: MatmulBuffers, y: MatmulBuffers): boolean {
  return x.a === y.a && x.b === y.b && x.out === y.out && x.bias === y.bias && x.partials === y.partials;
}

function checkSizes(s: Required<MatmulShape>, buffers: MatmulBuffers): void {
  const last = s.batch - 1;
  const need = {
    a: (last * s.batchStrideA + s.m * s.k) * 4,
    b: (last * s.batchStrideB + s.k * s.n) * 4,
    out: (last * s.batchStrideOut + s.m * s.n) * 4,
    bias: s.bias ? s.n * 4 : 0,
  };
  for (const [name, bytes] of Object.entries(need)) {
    const buffer = buffers[name as keyof MatmulBuffers];
    if (bytes > 0 && !buffer) throw new RangeError(`Matmul needs a ${name} buffer`);
    if (buffer && buffer.size < bytes)
      throw new RangeError(
        `Matmul ${name} buffer "${buffer.label}" has ${buffer.size} bytes; the shape needs ${bytes}`,
      );
  }
}
