// The CPU backend's one matrix product: C += A B^T over strided float32 operands into a float64 accumulator.
// Conv2d (forward, weight and input gradients) and Linear run on it. The operands are packed into panels of
// four rows in a WebAssembly memory and multiplied by the SIMD kernel of engine/cpu/wasm/gemm.wat, four by four.
// Each C value adds one float64 sum taken over t in order, from 0, so results are deterministic.
//
// NOTE: the kernel runs at about 6.5 GMAC/s here both in Node and in Chromium's worker (V8 compiles WebAssembly
// the same way in both); the best JavaScript loops ran at 1.2-2.3 GMAC/s, and 15-50% slower in the worker than in
// Node, which made the app's CPU training slower than the CLI's. With helper threads started (startCpuThreads),
// large products are split over them by B's column panels (engine/cpu/threads.ts); results do not change.

import { canShareMemory, GemmThreads, type Spawner } from './threads.ts';
import { GEMM_SHARED_WASM, GEMM_WASM } from './wasm/gemm-wasm.ts';

/** A strided matrix: element (r, t) is data[from + r * row + t * step] (t is the product's inner index). */
export interface Strided {
  data: Float32Array;
  from: number;
  row: number;
  step: number;
}

/** A product's result: C(i, j) = data[at + i * ld + j]; `end` is where the kernel's free memory starts. */
export interface Product {
  data: Float64Array;
  at: number;
  ld: number;
  end: number;
}

/** A convolution's window, for products whose B is its input columns (conv2d.ts's Geometry has these fields). */
export interface ConvWindow {
  Cg: number;
  H: number;
  W: number;
  KH: number;
  KW: number;
  OH: number;
  OW: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  dh: number;
  dw: number;
}

/**
 * Which way a convolution's columns make B: 'positions' B(j = output position, t = tap), the forward's;
 * 'taps' B(j = tap, t = output position), the weight gradient's (a tap is (channel, kh, kw)).
 */
export type ColumnsAs = 'positions' | 'taps';

/** B's row count for a convolution's columns taken `as`: its output positions or its taps. */
const columnCount = (win: ConvWindow, as: ColumnsAs) =>
  as === 'positions' ? win.OH * win.OW : win.Cg * win.KH * win.KW;

interface Kernel {
  memory: WebAssembly.Memory;
  pack(src: number, R: number, T: number, row: number, step: number, dst: number): void;
  im2col(src: number, win: number, dst: number, mode: number): void;
  col2im(src: number, ld: number, win: number, dst: number): void;
  gemm(mp: number, j0: number, np: number, T: number, A: number, B: number, C: number, ldc: number): void;
}

/** The kernel's memory limit in 64 KiB pages (1 GiB), as gemm.wat declares it. */
const MAX_PAGES = 16384;
/** Products of at least this many 4x4 block steps (mp np T, 16 multiply-adds each) are split over threads. */
const SPLIT_WORK = 1 << 16;

const PAGE = 65536;
/** The window's 13 int32 fields, ahead of the planes copied in for `im2col` (64 keeps the planes aligned). */
const WINDOW_BYTES = 64;
const panels = (rows: number) => (rows + 3) >> 2;

/**
 * The kernel's memory holds packed A, then packed B, then C (float64), then the operand being packed, copied in
 * whole (a memcpy) so the kernel's `pack` does the strided reads: packing in JavaScript cost more than the product.
 */
class Products {
  private kernel: Kernel | null = null;
  private threads: GemmThreads | null = null;
  private f32 = new Float32Array(0);
  private f64 = new Float64Array(0);
  private i32 = new Int32Array(0);
  private M = 0;
  private T = 0;

  /** Packs A (M x T) for the products that follow, until the next call. */
  packA(M: number, T: number, a: Strided): void {
    this.M = M;
    this.T = T;
    if (M > 0 && T > 0) this.pack(a, M, T, 0, 16 * T * panels(M));
  }

  /** c[c0 + i * cRow + j] += sum over t of A(i, t) B(j, t), for the A packed last, i < M and j < N. */
  times(N: number, b: Strided, c: Float64Array, c0: number, cRow: number): void {
    if (this.M === 0 || N === 0 || this.T === 0) return;
    const r = this.product(N, b);
    unpack(r.data, r.at, r.ld, this.M, N, c, c0, cRow);
  }

  /** c[c0 + i * cRow + j] += the product with a convolution's columns (as convProduct), for i < M. */
  convTimes(
    win: ConvWindow,
    x: Float32Array,
    from: number,
    as: ColumnsAs,
    c: Float64Array,
    c0: number,
    cRow: number,
  ) {
    const r = this.convProduct(win, x, from, as);
    unpack(r.data, r.at, r.ld, this.M, columnCount(win, as), c, c0, cRow);
  }

  /** A B^T for the A packed last (M, T > 0), in the kernel's memory until the next product. */
  product(N: number, b: Strided): Product {
    return this.run(N, (B, stage) => this.pack(b, N, this.T, B, stage));
  }

  /** A B^T where B is a convolution's columns of the input planes x[from ..] (T must be its taps or positions). */
  convProduct(win: ConvWindow, x: Float32Array, from: number, as: ColumnsAs): Product {
    const inner = columnCount(win, as === 'positions' ? 'taps' : 'positions');
    if (this.T !== inner)
      throw new Error(`gemm: the packed A has inner size ${this.T}, the columns ${inner}`);
    return this.run(columnCount(win, as), (B, stage) => {
      const planes = win.Cg * win.H * win.W;
      this.reserve(stage + WINDOW_BYTES + 4 * planes);
      this.writeWindow(win, stage);
      this.f32.set(x.subarray(from, from + planes), (stage + WINDOW_BYTES) >> 2);
      this.kernel!.im2col(stage + WINDOW_BYTES, stage, B, as === 'positions' ? 0 : 1);
    });
  }

  /**
   * The input gradient of one sample's group from its column gradient `cols` (K x P, the last product):
   * Cg planes of H x W float64 at data[at ..], until the next product.
   */
  col2im(win: ConvWindow, cols: Product): { data: Float64Array; at: number } {
    const record = 8 * cols.end;
    const dst = record + WINDOW_BYTES;
    this.reserve(dst + 8 * win.Cg * win.H * win.W);
    this.writeWindow(win, record);
    this.kernel!.col2im(8 * cols.at, 8 * cols.ld, record, dst);
    return { data: this.f64, at: dst >> 3 };
  }

  /** The window's 13 fields as gemm.wat reads them, at byte `at` (no arrays: this runs once per sample). */
  private writeWindow(win: ConvWindow, at: number): void {
    const r = this.i32;
    const i = at >> 2;
    r[i] = win.Cg;
    r[i + 1] = win.H;
    r[i + 2] = win.W;
    r[i + 3] = win.KH;
    r[i + 4] = win.KW;
    r[i + 5] = win.OH;
    r[i + 6] = win.OW;
    r[i + 7] = win.sh;
    r[i + 8] = win.sw;
    r[i + 9] = win.ph;
    r[i + 10] = win.pw;
    r[i + 11] = win.dh;
    r[i + 12] = win.dw;
  }

  /** Packs B (N x T, N > 0) with `fillB(B, stage)` (stage: where free memory starts), runs the product. */
  private run(N: number, fillB: (B: number, stage: number) => void): Product {
    const { M, T } = this;
    // NOTE: the kernel's loops run at least once; an empty product must not reach it.
    if (M === 0 || N === 0 || T === 0) throw new Error(`gemm: an empty product (${M} x ${N}, inner ${T})`);
    const mp = panels(M);
    const np = panels(N);
    const B = 16 * T * mp;
    const C = B + 16 * T * np;
    const ldc = 32 * np;
    fillB(B, C + 32 * mp * ldc);
    const kernel = this.kernel!;
    if (this.threads && np > 1 && mp * np * T >= SPLIT_WORK) {
      try {
        this.threads.run(kernel.gemm, mp, np, T, 0, B, C, ldc);
      } catch (error) {
        // A helper died or hangs: the op fails (the run stops and keeps its last good weights), and from now on
        // products stay on this thread.
        this.threads.stop();
        this.threads = null;
        throw error;
      }
    } else kernel.gemm(mp, 0, np, T, 0, B, C, ldc);
    return { data: this.f64, at: C >> 3, ld: ldc >> 3, end: (C + 32 * mp * ldc) >> 3 };
  }

  /**
   * Moves the kernel onto a shared memory and starts `helpers` threads on it; resolves to the helpers running
   * (0 where memory cannot be shared, or they failed to start: products then stay on this thread).
   */
  async startThreads(spawn: Spawner, helpers: number): Promise<number> {
    if (this.threads) return this.threads.helpers;
    if (helpers < 1 || !canShareMemory()) return 0;
    const memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
    const module = new WebAssembly.Module(GEMM_SHARED_WASM);
    let threads: GemmThreads;
    try {
      threads = await GemmThreads.start(spawn, module, memory, helpers);
    } catch {
      return 0;
    }
    // NOTE: between ops nothing lives in the kernel's memory (each op packs its operands first).
    this.kernel = instantiate(module, memory);
    this.threads = threads;
    return helpers;
  }

  get helpers(): number {
    return this.threads?.helpers ?? 0;
  }

  get splitRuns(): number {
    return this.threads?.splitRuns ?? 0;
  }

  /** Copies the elements m (R x T) spans to `stage` (bytes) and packs them into panels at `to` (bytes). */
  private pack(m: Strided, R: number, T: number, to: number, stage: number): void {
    if (m.row < 0 || m.step < 0) throw new Error('gemm: strides must not be negative');
    const extent = (R - 1) * m.row + (T - 1) * m.step + 1;
    this.reserve(stage + 4 * extent);
    this.f32.set(m.data.subarray(m.from, m.from + extent), stage >> 2);
    this.kernel!.pack(stage, R, T, 4 * m.row, 4 * m.step, to);
  }

  /** Makes the kernel's memory at least `bytes` long (growing keeps what is there, but new views are needed). */
  private reserve(bytes: number): void {
    if (!this.kernel)
      this.kernel = instantiate(
        new WebAssembly.Module(GEMM_WASM),
        new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES }),
      );
    const memory = this.kernel.memory;
    if (bytes > MAX_PAGES * PAGE)
      throw new Error(
        `The CPU backend needs ${Math.ceil(bytes / 2 ** 20)} MB for one matrix product, more than its ` +
          `${(MAX_PAGES * PAGE) / 2 ** 30} GB: use a smaller batch, image size or layer.`,
      );
    if (memory.buffer.byteLength < bytes) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE));
    if (this.f32.buffer !== memory.buffer) {
      this.f32 = new Float32Array(memory.buffer);
      this.f64 = new Float64Array(memory.buffer);
      this.i32 = new Int32Array(memory.buffer);
    }
  }
}

function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory): Kernel {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return { ...(instance.exports as unknown as Omit<Kernel, 'memory'>), memory };
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

/**
 * Starts helper threads for the large products of this thread's CPU backend (once; later calls return the count
 * running). Entry points call it: the CLI with engine/cpu/node-threads.ts, the app's engine worker with
 * webSpawner. Resolves to the helpers running, 0 when products stay on the calling thread.
 */
export function startCpuThreads(spawn: Spawner, helpers: number): Promise<number> {
  return products.startThreads(spawn, helpers);
}

/** Helper threads running, and how many products were split over them so far. */
export function cpuThreads(): { helpers: number; splitRuns: number } {
  return { helpers: products.helpers, splitRuns: products.splitRuns };
}

/** Packs A (M x T) for the `gemmTimes` calls that follow (the same A times several B). */
export function gemmPackA(M: number, T: number, a: Strided): void {
  products.packA(M, T, a);
}

/**
 * C (M x N) = A B^T with the A of the last `gemmPackA` (M, N, T > 0): C(i, j) is data[at + i * ld + j], a view
 * of the kernel's memory that the next product overwrites. For callers that store C as they read it.
 */
export function gemmProduct(N: number, b: Strided): Product {
  return products.product(N, b);
}

/**
 * gemmProduct with B a convolution's columns of the planes x[from ..] (one sample's group), built in the
 * kernel's memory (no im2col buffer in JavaScript): the forward's with 'positions', A being the weights.
 */
export function gemmConvProduct(win: ConvWindow, x: Float32Array, from: number, as: ColumnsAs): Product {
  return products.convProduct(win, x, from, as);
}

/**
 * A convolution's input gradient for one sample's group (Cg planes of H x W, float64 at data[at ..]) from its
 * column gradient, the last gemmProduct (K x P): col2im in the kernel, each input adding its taps in order.
 */
export function gemmCol2im(win: ConvWindow, cols: Product): { data: Float64Array; at: number } {
  return products.col2im(win, cols);
}

/**
 * c[c0 + i * cRow + j] += the product with a convolution's columns (as gemmConvProduct), for i < M and j < its
 * N: the weight gradient's with 'taps', A being dy.
 */
export function gemmConvTimes(
  win: ConvWindow,
  x: Float32Array,
  from: number,
  as: ColumnsAs,
  c: Float64Array,
  c0: number,
  cRow: number,
): void {
  products.convTimes(win, x, from, as, c, c0, cRow);
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
