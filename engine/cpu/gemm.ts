// The CPU backend's one matrix product: C += A B^T over strided float32 operands into a float64 accumulator.
// Conv2d (forward, weight and input gradients) and Linear run on it. The operands are packed into panels of
// four rows in a WebAssembly memory and multiplied by the SIMD kernel of engine/cpu/wasm/gemm.wat, four by four.
// Each C value adds one float64 sum taken over t in order, from 0, so results are deterministic.
//
// NOTE: the kernel runs at about 6.5 GMAC/s here both in Node and in Chromium's worker (V8 compiles WebAssembly
// the same way in both); the best JavaScript loops ran at 1.2-2.3 GMAC/s, and 15-50% slower in the worker than in
// Node, which made the app's CPU training slower than the CLI's.

import { GEMM_WASM } from './wasm/gemm-wasm.ts';

/** A strided matrix: element (r, t) is data[from + r * row + t * step] (t is the product's inner index). */
export interface Strided {
  data: Float32Array;
  from: number;
  row: number;
  step: number;
}

interface Kernel {
  memory: WebAssembly.Memory;
  gemm(mp: number, np: number, T: number, A: number, B: number, C: number, ldc: number): void;
}

const PAGE = 65536;
const panels = (rows: number) => (rows + 3) >> 2;

/** Packed A, then packed B, then C: the byte offsets of one product's regions in the kernel's memory. */
class Products {
  private kernel: Kernel | null = null;
  private f32 = new Float32Array(0);
  private f64 = new Float64Array(0);
  private M = 0;
  private T = 0;

  /** Packs A (M x T) for the products that follow, until the next call. */
  packA(M: number, T: number, a: Strided): void {
    this.M = M;
    this.T = T;
    this.reserve(16 * T * panels(M));
    pack(this.f32, 0, M, T, a);
  }

  /** c[c0 + i * cRow + j] += sum over t of A(i, t) B(j, t), for the A packed last, i < M and j < N. */
  times(N: number, b: Strided, c: Float64Array, c0: number, cRow: number): void {
    const { M, T } = this;
    if (M === 0 || N === 0 || T === 0) return;
    const mp = panels(M);
    const np = panels(N);
    const B = 16 * T * mp;
    const C = B + 16 * T * np;
    const ldc = 32 * np;
    this.reserve(C + 32 * mp * ldc);
    pack(this.f32, B >> 2, N, T, b);
    this.kernel!.gemm(mp, np, T, 0, B, C, ldc);
    unpack(this.f64, C >> 3, ldc >> 3, M, N, c, c0, cRow);
  }

  /** Makes the kernel's memory at least `bytes` long (growing keeps what is there, but new views are needed). */
  private reserve(bytes: number): void {
    if (!this.kernel) this.kernel = instantiate();
    const memory = this.kernel.memory;
    if (memory.buffer.byteLength < bytes) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE));
    if (this.f32.buffer !== memory.buffer) {
      this.f32 = new Float32Array(memory.buffer);
      this.f64 = new Float64Array(memory.buffer);
    }
  }
}

function instantiate(): Kernel {
  if (typeof WebAssembly === 'undefined')
    throw new Error(
      'The CPU backend needs WebAssembly (with SIMD), which this JavaScript engine does not have.',
    );
  const instance = new WebAssembly.Instance(new WebAssembly.Module(GEMM_WASM), {});
  return instance.exports as unknown as Kernel;
}

/**
 * Writes rows r < R of m (R x T) as panels of four rows: panel p, step t at out[at + 4 (p T + t) .. + 4],
 * rows past R as zeros.
 */
function pack(out: Float32Array, at: number, R: number, T: number, m: Strided): void {
  const R4 = R - (R & 3);
  if (m.row === 1) packRowsAdjacent(out, at, R4, T, m.data, m.from, m.step);
  else packRows(out, at, 0, R4, T, m.data, m.from, m.row, m.step);
  if (R4 < R) {
    packRows(out, at, R4, R, T, m.data, m.from, m.row, m.step);
    for (let r = R; r < R4 + 4; r++) zeroRow(out, at + (r >> 2) * 4 * T + (r & 3), T);
  }
}

/** Rows r0 <= r < r1, each read along t (best when step is 1). */
function packRows(
  out: Float32Array,
  at: number,
  r0: number,
  r1: number,
  T: number,
  data: Float32Array,
  from: number,
  row: number,
  step: number,
): void {
  for (let r = r0; r < r1; r++) {
    let to = at + (r >> 2) * 4 * T + (r & 3);
    let f = from + r * row;
    for (let t = 0; t < T; t++, to += 4, f += step) out[to] = data[f]!;
  }
}

/** Rows r < R4 (a multiple of four) of a matrix whose rows are adjacent (row 1): four values at a time. */
function packRowsAdjacent(
  out: Float32Array,
  at: number,
  R4: number,
  T: number,
  data: Float32Array,
  from: number,
  step: number,
): void {
  const panel = 4 * T;
  for (let t = 0; t < T; t++) {
    let to = at + 4 * t;
    const f = from + t * step;
    for (let r = 0; r < R4; r += 4, to += panel) {
      out[to] = data[f + r]!;
      out[to + 1] = data[f + r + 1]!;
      out[to + 2] = data[f + r + 2]!;
      out[to + 3] = data[f + r + 3]!;
    }
  }
}

function zeroRow(out: Float32Array, to: number, T: number): void {
  for (let t = 0; t < T; t++, to += 4) out[to] = 0;
}

/** c[c0 + i * cRow + j] += w[at + i * ld + j] for i < M, j < N. */
function unpack(
  w: Float64Array,
  at: number,
  ld: number,
  M: number,
  N: number,
  c: Float64Array,
  c0: number,
  cRow: number,
) {
  for (let i = 0; i < M; i++) {
    const from = at + i * ld;
    const to = c0 + i * cRow;
    for (let j = 0; j < N; j++) c[to + j]! += w[from + j]!;
  }
}

const products = new Products();

/** Packs A (M x T) for the `gemmTimes` calls that follow (the same A times several B). */
export function gemmPackA(M: number, T: number, a: Strided): void {
  products.packA(M, T, a);
}

/** c[c0 + i * cRow + j] += sum over t of A(i, t) B(j, t) for j < N, with the A of the last `gemmPackA`. */
export function gemmTimes(N: number, b: Strided, c: Float64Array, c0: number, cRow: number): void {
  products.times(N, b, c, c0, cRow);
}

/** c[c0 + i * cRow + j] += sum over t < T of A(i, t) * B(j, t), for i < M and j < N. */
export function gemm(
  M: number,
  N: number,
  T: number,
  a: Strided,
  b: Strided,
  c: Float64Array,
  c0: number,
  cRow: number,
) {
  products.packA(M, T, a);
  products.times(N, b, c, c0, cRow);
}
