// Matmul on the GPU: out = op(A) * op(B) (+ bias) (+ out), in two kernel variants chosen per adapter.
/// <reference types="@webgpu/types" />

import type { WorkgroupGrid } from './dispatch.ts';
import { BufferUsage } from './flags.ts';
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
}

export interface MatmulBuffers {
  a: GPUBuffer;
  b: GPUBuffer;
  out: GPUBuffer;
  bias?: GPUBuffer;
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
  };
  if (full.batchStrideOut < m * n)
    throw new RangeError('Matmul batchStrideOut is smaller than one output matrix');
  return full;
}

/** The kernel spec and grid for one variant and shape (the spec is the pipeline cache key). */
export function matmulKernel(
  variant: MatmulVariant,
  shape: MatmulShape,
): { spec: KernelSpec; grid: WorkgroupGrid } {
  const s = normalizeShape(shape);
  const common = {
    TRANSPOSE_A: s.transposeA,
    TRANSPOSE_B: s.transposeB,
    HAS_BIAS: s.bias,
    ACCUMULATE: s.accumulate,
  };
  if (variant === 'tiled')
    return {
      spec: { name: 'matmul_tiled', bindings: TILED_BINDINGS, constants: common },
      grid: [Math.ceil(s.n / 64), Math.ceil(s.m / 64), s.batch],
    };
  const block = variant === 'blocked8x8' ? 8 : 4;
  // vec4 loads need whole vec4 rows in storage: the stored row length and the batch stride divisible by 4.
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
    grid: [Math.ceil(s.n / span), Math.ceil(s.m / span), s.batch],
  };
}

/** Compiles (or finds) the kernel and writes the shape's parameters once. */
export async function prepareMatmul(
  runtime: GpuRuntime,
  shape: MatmulShape,
  variant: MatmulVariant,
): Promise<PreparedMatmul> {
  const s = normalizeShape(shape);
  const { spec, grid } = matmulKernel(variant, s);
  const kernel = await runtime.kernel(spec);
  const params = new Uint32Array([s.m, s.n, s.k, s.batchStrideA, s.batchStrideB, s.batchStrideOut, 0, 0]);
  const uniform = runtime.upload(params, BufferUsage.UNIFORM | BufferUsage.COPY_DST, `${spec.name} params`);
  let cached: { key: MatmulBuffers; group: GPUBindGroup } | null = null;
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
        const resources = [buffers.a, buffers.b, bias, buffers.out, uniform];
        if (spec.name === 'matmul_blocked') resources.push(buffers.a, buffers.b);
        cached = { key: { ...buffers }, group: runtime.bind(kernel, resources) };
      }
      runtime.dispatch(pass, kernel, cached.group, grid);
    },
    release() {
      if (released) return;
      released = true;
      runtime.buffers.release(uniform);
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
  return x.a === y.a && x.b === y.b && x.out === y.out && x.bias === y.bias;
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
