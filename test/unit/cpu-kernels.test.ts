// The CPU backend's WebAssembly matrix product and its bit-level ReLU against plain references: exact results
// (the product adds each float64 sum over t in order, the reference too), edges and odd sizes included.

import { describe, expect, it } from 'vitest';
import {
  type ConvWindow,
  cpuThreads,
  gemm,
  gemmCol2im,
  gemmConvProduct,
  gemmConvTimes,
  gemmPackA,
  gemmProduct,
  gemmTimes,
  type Strided,
  startCpuThreads,
} from '../../engine/cpu/gemm.ts';
import { nodeSpawner } from '../../engine/cpu/node-threads.ts';
import { GemmThreads } from '../../engine/cpu/threads.ts';
import { GEMM_SHARED_WASM } from '../../engine/cpu/wasm/gemm-wasm.ts';

type Gemm = Parameters<GemmThreads['run']>[0];

import { maxPool2d } from '../../engine/cpu/max-pool2d.ts';
import { relu } from '../../engine/cpu/relu.ts';
import type { CpuTensor } from '../../engine/cpu/tensor.ts';
import { Random } from '../../engine/train/random.ts';

const at = (m: Strided, r: number, t: number) => m.data[m.from + r * m.row + t * m.step]!;

/** c[c0 + i cRow + j] += sum over t of A(i, t) B(j, t), one float64 sum per value from 0, in order. */
function reference(
  M: number,
  N: number,
  T: number,
  a: Strided,
  b: Strided,
  c: Float64Array,
  c0: number,
  cRow: number,
) {
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let t = 0; t < T; t++) s += at(a, i, t) * at(b, j, t);
      c[c0 + i * cRow + j]! += s;
    }
}

const random = (rng: Random, n: number) => Float32Array.from({ length: n }, () => rng.normal());

describe('gemm (WebAssembly, 4x4 SIMD blocks)', () => {
  const rng = new Random(3);
  // M, N, T: multiples of four, remainders of every kind, single rows, long inner products.
  const sizes: [number, number, number][] = [
    [4, 4, 1],
    [1, 1, 1],
    [3, 5, 7],
    [6, 784, 25],
    [16, 150, 100],
    [150, 100, 16],
    [32, 120, 400],
    [5, 2, 1000],
    [9, 13, 3],
  ];
  for (const [M, N, T] of sizes)
    it(`matches the in-order float64 reference exactly for ${M}x${N}, inner ${T}, every layout`, () => {
      // Row-major, transposed, and offset views of the same values.
      const aData = random(rng, M * T + 7);
      const bData = random(rng, N * T + 5);
      const layouts: [Strided, Strided][] = [
        [
          { data: aData, from: 7, row: T, step: 1 },
          { data: bData, from: 5, row: T, step: 1 },
        ],
        [
          { data: aData, from: 0, row: 1, step: M },
          { data: bData, from: 0, row: 1, step: N },
        ],
        [
          { data: aData, from: 3, row: T, step: 1 },
          { data: bData, from: 1, row: 1, step: N },
        ],
      ];
      for (const [a, b] of layouts) {
        const start = random(rng, M * (N + 3));
        const got = Float64Array.from(start);
        const want = Float64Array.from(start);
        gemm(M, N, T, a, b, got, 2, N + 1);
        reference(M, N, T, a, b, want, 2, N + 1);
        expect(got).toEqual(want);
      }
    });

  it('keeps a packed A for several products, and grows its memory for a large one', () => {
    const M = 6;
    const T = 9;
    const a: Strided = { data: random(rng, M * T), from: 0, row: T, step: 1 };
    gemmPackA(M, T, a);
    for (const N of [3, 40, 257]) {
      const b: Strided = { data: random(rng, N * T), from: 0, row: T, step: 1 };
      const got = new Float64Array(M * N);
      const want = new Float64Array(M * N);
      gemmTimes(N, b, got, 0, N);
      reference(M, N, T, a, b, want, 0, N);
      expect(got).toEqual(want);
    }
    // 1,200 x 1,300 with inner 300: packed operands and the float64 result need about 14 MB.
    const [bigM, bigN, bigT] = [1200, 1300, 300];
    const big: [Strided, Strided] = [
      { data: random(rng, bigM * bigT), from: 0, row: bigT, step: 1 },
      { data: random(rng, bigN * bigT), from: 0, row: bigT, step: 1 },
    ];
    const got = new Float64Array(bigM * bigN);
    gemm(bigM, bigN, bigT, big[0], big[1], got, 0, bigN);
    const want = new Float64Array(bigM * bigN);
    // The reference on a sample of rows (all of it would take a while).
    for (const i of [0, 1, 599, 1198, 1199]) {
      const row: Strided = { ...big[0], from: i * bigT };
      reference(1, bigN, bigT, row, big[1], want, i * bigN, bigN);
      expect(got.subarray(i * bigN, (i + 1) * bigN)).toEqual(want.subarray(i * bigN, (i + 1) * bigN));
    }
  });

  it('says plainly when one product would need more than its 1 GB of memory', () => {
    const T = 70_000;
    const wide: Strided = { data: new Float32Array(T), from: 0, row: 0, step: 1 };
    // 8,000 x 1 rows of 70,000: 8,000 packed rows alone are over 2 GB.
    expect(() => gemm(1, 8000, T, wide, wide, new Float64Array(8000), 0, 8000)).toThrow(
      /The CPU backend needs \d+ MB for one matrix product, more than its 1 GB: use a smaller batch/,
    );
  });

  it('adds nothing for an empty product', () => {
    const c = new Float64Array([1, 2, 3]);
    const empty: Strided = { data: new Float32Array(0), from: 0, row: 0, step: 1 };
    gemm(0, 3, 4, empty, empty, c, 0, 3);
    gemm(1, 3, 0, empty, empty, c, 0, 3);
    expect(Array.from(c)).toEqual([1, 2, 3]);
  });
});

describe('convolution columns built in the kernel (im2col into the panels)', () => {
  const rng = new Random(5);
  /**
   * Every (column, input) pair of the window in order: column k * P + p for tap k = (c, kh, kw) and output
   * position p = (oh, ow), input (c, h, w) as an index into the group's planes; padding taps left out.
   */
  function eachTap(win: ConvWindow, visit: (column: number, input: number) => void): void {
    const P = win.OH * win.OW;
    for (let c = 0, k = 0; c < win.Cg; c++)
      for (let kh = 0; kh < win.KH; kh++)
        for (let kw = 0; kw < win.KW; kw++, k++)
          for (let oh = 0; oh < win.OH; oh++)
            for (let ow = 0; ow < win.OW; ow++) {
              const h = oh * win.sh - win.ph + kh * win.dh;
              const w = ow * win.sw - win.pw + kw * win.dw;
              if (h >= 0 && h < win.H && w >= 0 && w < win.W)
                visit(k * P + oh * win.OW + ow, (c * win.H + h) * win.W + w);
            }
  }
  /** cols (K, P): tap k = (c, kh, kw), position p = (oh, ow); 0 in the padding. */
  function im2col(win: ConvWindow, x: Float32Array, from: number): Float32Array {
    const cols = new Float32Array(win.Cg * win.KH * win.KW * win.OH * win.OW);
    eachTap(win, (column, input) => {
      cols[column] = x[from + input]!;
    });
    return cols;
  }
  const windows: [string, ConvWindow][] = [
    [
      '5x5, padding 2',
      { Cg: 1, H: 9, W: 7, KH: 5, KW: 5, OH: 9, OW: 7, sh: 1, sw: 1, ph: 2, pw: 2, dh: 1, dw: 1 },
    ],
    [
      '3x3 stride 2',
      { Cg: 3, H: 11, W: 10, KH: 3, KW: 3, OH: 5, OW: 5, sh: 2, sw: 2, ph: 0, pw: 1, dh: 1, dw: 1 },
    ],
    [
      'dilation 2',
      { Cg: 2, H: 8, W: 9, KH: 3, KW: 2, OH: 4, OW: 7, sh: 1, sw: 1, ph: 0, pw: 0, dh: 2, dw: 2 },
    ],
    ['1x1', { Cg: 6, H: 3, W: 5, KH: 1, KW: 1, OH: 3, OW: 5, sh: 1, sw: 1, ph: 0, pw: 0, dh: 1, dw: 1 }],
  ];
  for (const [name, win] of windows)
    it(`gives the products of explicit columns exactly: ${name}`, () => {
      const K = win.Cg * win.KH * win.KW;
      const P = win.OH * win.OW;
      const from = 3 + win.Cg * win.H * win.W; // the second sample of a batch of two, after 3 values
      const x = random(rng, 3 + 2 * win.Cg * win.H * win.W);
      const cols = im2col(win, x, from);
      const M = 5;
      // Forward: W (M, K) times the columns by position.
      const w: Strided = { data: random(rng, M * K), from: 0, row: K, step: 1 };
      gemmPackA(M, K, w);
      const want = gemmProduct(P, { data: cols, from: 0, row: 1, step: P });
      const wantValues = Array.from({ length: M }, (_, i) =>
        Array.from(want.data.subarray(want.at + i * want.ld, want.at + i * want.ld + P)),
      );
      const got = gemmConvProduct(win, x, from, 'positions');
      const gotValues = Array.from({ length: M }, (_, i) =>
        Array.from(got.data.subarray(got.at + i * got.ld, got.at + i * got.ld + P)),
      );
      expect(gotValues).toEqual(wantValues);
      // Weight gradient: dy (M, P) times the columns by tap, added onto what is there.
      const dy: Strided = { data: random(rng, M * P), from: 0, row: P, step: 1 };
      const start = random(rng, M * K);
      const wantGrad = Float64Array.from(start);
      const gotGrad = Float64Array.from(start);
      gemm(M, K, P, dy, { data: cols, from: 0, row: P, step: 1 }, wantGrad, 0, K);
      gemmPackA(M, P, dy);
      gemmConvTimes(win, x, from, 'taps', gotGrad, 0, K);
      expect(gotGrad).toEqual(wantGrad);
      // Input gradient: the columns' gradient W^T (K, M) dy (M, P), then col2im, each input adding its taps in order.
      gemmPackA(K, M, { ...w, row: 1, step: K });
      const dcols = gemmProduct(P, { ...dy, row: 1, step: P });
      const columns = Float64Array.from(
        { length: K * P },
        (_, i) => dcols.data[dcols.at + Math.floor(i / P) * dcols.ld + (i % P)]!,
      );
      const wantInput = new Float64Array(win.Cg * win.H * win.W);
      eachTap(win, (column, input) => {
        wantInput[input]! += columns[column]!;
      });
      const gotInput = gemmCol2im(win, dcols);
      expect(gotInput.data.slice(gotInput.at, gotInput.at + wantInput.length)).toEqual(wantInput);
    });
});

describe('relu on float32 bit patterns', () => {
  const tensor = (values: number[]): CpuTensor => {
    const f = Float32Array.from(values);
    return { shape: [values.length], f, i: new Int32Array(f.buffer) };
  };
  const specials = [Number.NaN, -0, 0, -1, 2, Infinity, -Infinity, 3.4e38, -3.4e38, 1e-45, -1e-45, 0.5];

  it('forward: max(0, x) with +0 for every negative, NaN kept (also a NaN with its sign bit set)', () => {
    const x = tensor([...specials, Number.NaN]);
    x.i[specials.length] = 0xffc00000 | 0; // the NaN x86 arithmetic makes: sign bit set
    const y = tensor(new Array(specials.length + 1).fill(7));
    relu.forward({ attrs: {}, inputs: { x }, output: y, saved: {}, training: true } as never);
    const want = [Number.NaN, 0, 0, 0, 2, Infinity, 0, 3.4e38, 0, 1e-45, 0, 0.5, Number.NaN];
    expect(Array.from(y.f)).toEqual(Array.from(Float32Array.from(want)));
    for (let k = 0; k < want.length; k++) if (want[k] === 0) expect(Object.is(y.f[k], 0)).toBe(true);
  });

  it('backward: adds dy where y > 0 only, so a NaN or infinite dy elsewhere adds nothing', () => {
    const y = tensor([0, 2, Infinity, Number.NaN, 1e-45, 0, 3, -0]);
    const dy = tensor([Number.NaN, 1, -2, 5, Infinity, -Infinity, Number.NaN, 9]);
    const dx = tensor([1, 1, 1, 1, 1, 1, 1, 1]);
    relu.backward({
      attrs: {},
      inputs: {},
      output: y,
      gradOutput: dy,
      grads: { x: { t: dx, accumulate: true } },
      saved: {},
      training: true,
    } as never);
    expect(Array.from(dx.f)).toEqual([1, 2, -1, 1, Infinity, 1, Number.NaN, 1]);
  });
});

describe('large products split over helper threads', () => {
  it('start in Node and give the same results bit for bit', async () => {
    expect(await startCpuThreads(nodeSpawner, 2)).toBe(2);
    expect(await startCpuThreads(nodeSpawner, 5)).toBe(2); // once
    const rng = new Random(9);
    const before = cpuThreads().splitRuns;
    for (const [M, N, T] of [
      [64, 301, 150],
      [33, 1024, 72],
      [7, 9, 5], // too small to split
    ] as [number, number, number][]) {
      const a: Strided = { data: random(rng, M * T), from: 0, row: T, step: 1 };
      const b: Strided = { data: random(rng, N * T), from: 0, row: 1, step: N };
      const got = new Float64Array(M * N);
      const want = new Float64Array(M * N);
      gemm(M, N, T, a, b, got, 0, N);
      reference(M, N, T, a, b, want, 0, N);
      expect(got).toEqual(want);
    }
    expect(cpuThreads().splitRuns - before).toBe(2);
  });
});

describe('a helper thread that dies', () => {
  it('makes the product fail with a plain error instead of waiting forever', async () => {
    const memory = new WebAssembly.Memory({ initial: 64, maximum: 16384, shared: true });
    const module = new WebAssembly.Module(GEMM_SHARED_WASM);
    const gemm = (new WebAssembly.Instance(module, { env: { memory } }).exports as { gemm: Gemm }).gemm;
    const threads = await GemmThreads.start(nodeSpawner, module, memory, 1);
    threads.timeoutMs = 300;
    // A product over zeros (the memory is fresh): 4 row panels, 8 column panels of 16 steps.
    threads.run(gemm, 4, 8, 16, 0, 4096, 8192, 256);
    expect(threads.splitRuns).toBe(1);
    threads.kill(0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(() => threads.run(gemm, 4, 8, 16, 0, 4096, 8192, 256)).toThrow(
      /A CPU helper thread stopped answering \(1 of 1 did not finish a product in 0.3 s\)/,
    );
    threads.stop();
  });
});

describe('max pooling, 2x2 at stride 2', () => {
  it("matches PyTorch's rule in window order: the first maximum, the first NaN over everything", () => {
    // 3 planes of 5 x 6 (the last row and column unused): ties, signed zeros, NaNs, infinities.
    const rng = new Random(11);
    const pick = [0, -0, 1, -1, 2, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.5];
    const planes = 3;
    const [H, W, OH, OW] = [5, 6, 2, 3];
    const f = Float32Array.from({ length: planes * H * W }, () => pick[rng.int(pick.length)]!);
    const x: CpuTensor = { shape: [1, planes, H, W], f, i: new Int32Array(f.buffer) };
    const yf = new Float32Array(planes * OH * OW);
    const y: CpuTensor = { shape: [1, planes, OH, OW], f: yf, i: new Int32Array(yf.buffer) };
    const idx = new Int32Array(planes * OH * OW);
    const indices: CpuTensor = { shape: [1, planes, OH, OW], f: new Float32Array(idx.buffer), i: idx };
    const attrs = { kernelSize: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1] };
    maxPool2d.forward({ attrs, inputs: { x }, output: y, saved: { indices }, training: true } as never);
    for (let p = 0; p < planes; p++)
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++) {
          let best = Number.NEGATIVE_INFINITY;
          let where = -1;
          for (const [i, j] of [
            [0, 0],
            [0, 1],
            [1, 0],
            [1, 1],
          ] as const) {
            const at = (2 * oh + i) * W + 2 * ow + j;
            const v = f[p * H * W + at]!;
            if (Number.isNaN(best)) break;
            if (where < 0 || v > best || Number.isNaN(v)) [best, where] = [v, at];
          }
          const o = (p * OH + oh) * OW + ow;
          expect([yf[o], idx[o]]).toEqual([best, where]);
        }
  });
});
