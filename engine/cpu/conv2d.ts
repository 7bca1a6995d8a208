// conv2d on the CPU: im2col + matrix products with groups, stride, padding and dilation; forward and
// backward. Sums run in float64 in a fixed order, so results are deterministic and rounded once to float32.

import type { Conv2dAttrs } from '../compile/ops.ts';
import { type CpuKernel, type CpuTensor, dims4, gradInto, validRange } from './tensor.ts';

/**
 * The shapes and window geometry one call needs, with the valid output range of each kernel tap:
 * rows[2 kh], rows[2 kh + 1] (and cols[2 kw], cols[2 kw + 1]) bound the output rows (columns) whose tap
 * falls inside the input.
 * NOTE: a class with every field set in the constructor and int32 ranges, not an object literal of
 * destructured tuples: the hot loops read one fixed shape and no array iterator, whatever the packaging.
 */
class Geometry {
  readonly N: number;
  readonly C: number;
  readonly H: number;
  readonly W: number;
  readonly O: number;
  readonly Cg: number;
  readonly KH: number;
  readonly KW: number;
  readonly OH: number;
  readonly OW: number;
  readonly sh: number;
  readonly sw: number;
  readonly ph: number;
  readonly pw: number;
  readonly dh: number;
  readonly dw: number;
  readonly Og: number;
  readonly groups: number;
  readonly rows: Int32Array;
  readonly cols: Int32Array;

  constructor(attrs: Conv2dAttrs, x: CpuTensor, weight: CpuTensor, y: CpuTensor) {
    const xs = dims4(x);
    const ws = dims4(weight);
    const ys = dims4(y);
    this.N = xs[0];
    this.C = xs[1];
    this.H = xs[2];
    this.W = xs[3];
    this.O = ws[0];
    this.Cg = ws[1];
    this.KH = ws[2];
    this.KW = ws[3];
    this.OH = ys[2];
    this.OW = ys[3];
    this.sh = attrs.stride[0];
    this.sw = attrs.stride[1];
    this.ph = attrs.padding[0];
    this.pw = attrs.padding[1];
    this.dh = attrs.dilation[0];
    this.dw = attrs.dilation[1];
    this.groups = attrs.groups;
    this.Og = this.O / attrs.groups;
    this.rows = new Int32Array(2 * this.KH);
    for (let kh = 0; kh < this.KH; kh++) {
      const r = validRange(this.OH, this.H, this.sh, this.ph, kh * this.dh);
      this.rows[2 * kh] = r[0];
      this.rows[2 * kh + 1] = r[1];
    }
    this.cols = new Int32Array(2 * this.KW);
    for (let kw = 0; kw < this.KW; kw++) {
      const r = validRange(this.OW, this.W, this.sw, this.pw, kw * this.dw);
      this.cols[2 * kw] = r[0];
      this.cols[2 * kw + 1] = r[1];
    }
  }
}

/**
 * cols (Cg*KH*KW, OH*OW): the input patches of sample n, group g, one row per kernel tap (c, kh, kw),
 * zero where the tap falls in the padding. Row order matches the weight's (Cg, KH, KW) layout.
 */
function im2col(geo: Geometry, x: Float32Array, n: number, g: number, cols: Float32Array): void {
  const C = geo.C;
  const H = geo.H;
  const W = geo.W;
  const Cg = geo.Cg;
  const KH = geo.KH;
  const KW = geo.KW;
  const OW = geo.OW;
  const sh = geo.sh;
  const sw = geo.sw;
  const ph = geo.ph;
  const pw = geo.pw;
  const dh = geo.dh;
  const dw = geo.dw;
  const rows = geo.rows;
  const ranges = geo.cols;
  const P = geo.OH * OW;
  cols.fill(0);
  for (let c = 0; c < Cg; c++) {
    const plane = (n * C + g * Cg + c) * H * W;
    for (let kh = 0; kh < KH; kh++) {
      const oh0 = rows[2 * kh]!;
      const oh1 = rows[2 * kh + 1]!;
      for (let kw = 0; kw < KW; kw++) {
        const ow0 = ranges[2 * kw]!;
        const ow1 = ranges[2 * kw + 1]!;
        const row = ((c * KH + kh) * KW + kw) * P;
        for (let oh = oh0; oh < oh1; oh++) {
          const from = plane + (oh * sh - ph + kh * dh) * W - pw + kw * dw;
          const to = row + oh * OW;
          for (let ow = ow0; ow < ow1; ow++) cols[to + ow] = x[from + ow * sw]!;
        }
      }
    }
  }
}

/** Adds the columns' gradient back onto the input positions they were read from (the inverse of im2col). */
function col2im(geo: Geometry, dcols: Float64Array, dx: Float64Array): void {
  const H = geo.H;
  const W = geo.W;
  const Cg = geo.Cg;
  const KH = geo.KH;
  const KW = geo.KW;
  const OW = geo.OW;
  const sh = geo.sh;
  const sw = geo.sw;
  const ph = geo.ph;
  const pw = geo.pw;
  const dh = geo.dh;
  const dw = geo.dw;
  const rows = geo.rows;
  const ranges = geo.cols;
  const P = geo.OH * OW;
  for (let c = 0; c < Cg; c++)
    for (let kh = 0; kh < KH; kh++) {
      const oh0 = rows[2 * kh]!;
      const oh1 = rows[2 * kh + 1]!;
      for (let kw = 0; kw < KW; kw++) {
        const ow0 = ranges[2 * kw]!;
        const ow1 = ranges[2 * kw + 1]!;
        const row = ((c * KH + kh) * KW + kw) * P;
        for (let oh = oh0; oh < oh1; oh++) {
          const to = c * H * W + (oh * sh - ph + kh * dh) * W - pw + kw * dw;
          const from = row + oh * OW;
          for (let ow = ow0; ow < ow1; ow++) dx[to + ow * sw]! += dcols[from + ow]!;
        }
      }
    }
}

// NOTE: each helper below has one loop nest that runs on every call, its remainder (K or O not a multiple
// of four) in a helper of its own. V8 compiles a hot loop on-stack while the function's first call is still
// in it; code after that loop, not yet run, has no type feedback, and such code deopted again and again
// (tens to hundreds of times a run, at random, by packaging and machine load).

/** acc (P) += sum over k < K4 of w[wFrom + k] * cols[k] (row k of length P), four rows at a time. */
function rowsTimes4(
  w: Float32Array,
  wFrom: number,
  cols: Float32Array,
  K4: number,
  P: number,
  acc: Float64Array,
) {
  for (let k = 0; k < K4; k += 4) {
    const w0 = w[wFrom + k]!;
    const w1 = w[wFrom + k + 1]!;
    const w2 = w[wFrom + k + 2]!;
    const w3 = w[wFrom + k + 3]!;
    const r0 = k * P;
    const r1 = r0 + P;
    const r2 = r1 + P;
    const r3 = r2 + P;
    for (let p = 0; p < P; p++)
      acc[p]! += w0 * cols[r0 + p]! + w1 * cols[r1 + p]! + w2 * cols[r2 + p]! + w3 * cols[r3 + p]!;
  }
}

/** acc (P) += w[wFrom + k] * cols[k] for k0 <= k < K, one row at a time. */
function rowsTimes1(
  w: Float32Array,
  wFrom: number,
  cols: Float32Array,
  k0: number,
  K: number,
  P: number,
  acc: Float64Array,
) {
  for (let k = k0; k < K; k++) {
    const wv = w[wFrom + k]!;
    const row = k * P;
    for (let p = 0; p < P; p++) acc[p]! += wv * cols[row + p]!;
  }
}

/** acc (P) += sum over k of w[wFrom + k] * cols[k] (row k of K rows of length P), four rows at a time. */
function rowsTimes(
  w: Float32Array,
  wFrom: number,
  cols: Float32Array,
  K: number,
  P: number,
  acc: Float64Array,
) {
  const K4 = K - (K % 4);
  if (K4 > 0) rowsTimes4(w, wFrom, cols, K4, P, acc);
  if (K4 < K) rowsTimes1(w, wFrom, cols, K4, K, P, acc);
}

/** out[outFrom + k] += dot(dy[dyFrom .. dyFrom + P], cols row k) for k < K4, four rows at a time. */
function dotRows4(
  dy: Float32Array,
  dyFrom: number,
  cols: Float32Array,
  K4: number,
  P: number,
  out: Float64Array,
  outFrom: number,
) {
  for (let k = 0; k < K4; k += 4) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    const r0 = k * P;
    for (let p = 0; p < P; p++) {
      const d = dy[dyFrom + p]!;
      s0 += d * cols[r0 + p]!;
      s1 += d * cols[r0 + P + p]!;
      s2 += d * cols[r0 + 2 * P + p]!;
      s3 += d * cols[r0 + 3 * P + p]!;
    }
    out[outFrom + k]! += s0;
    out[outFrom + k + 1]! += s1;
    out[outFrom + k + 2]! += s2;
    out[outFrom + k + 3]! += s3;
  }
}

/** out[outFrom + k] += dot(dy[dyFrom .. dyFrom + P], cols row k) for k0 <= k < K, one row at a time. */
function dotRows1(
  dy: Float32Array,
  dyFrom: number,
  cols: Float32Array,
  k0: number,
  K: number,
  P: number,
  out: Float64Array,
  outFrom: number,
) {
  for (let k = k0; k < K; k++) {
    let s = 0;
    const row = k * P;
    for (let p = 0; p < P; p++) s += dy[dyFrom + p]! * cols[row + p]!;
    out[outFrom + k]! += s;
  }
}

/** out[outFrom + k] += dot(dy[dyFrom .. dyFrom + P], cols row k) for every k, four rows at a time. */
function dotRows(
  dy: Float32Array,
  dyFrom: number,
  cols: Float32Array,
  K: number,
  P: number,
  out: Float64Array,
  outFrom: number,
) {
  const K4 = K - (K % 4);
  if (K4 > 0) dotRows4(dy, dyFrom, cols, K4, P, out, outFrom);
  if (K4 < K) dotRows1(dy, dyFrom, cols, K4, K, P, out, outFrom);
}

/** dcols (K, P) += W[o0..o1]^T dy[o0..o1] for one sample (dy rows start at dyFrom), o1 - o0 a multiple of 4. */
function colsGrad4(
  w: Float32Array,
  K: number,
  o0: number,
  o1: number,
  dy: Float32Array,
  dyFrom: number,
  P: number,
  dcols: Float64Array,
) {
  for (let k = 0; k < K; k++) {
    const row = k * P;
    for (let o = o0; o < o1; o += 4) {
      const w0 = w[o * K + k]!;
      const w1 = w[(o + 1) * K + k]!;
      const w2 = w[(o + 2) * K + k]!;
      const w3 = w[(o + 3) * K + k]!;
      const d0 = dyFrom + o * P;
      for (let p = 0; p < P; p++)
        dcols[row + p]! +=
          w0 * dy[d0 + p]! + w1 * dy[d0 + P + p]! + w2 * dy[d0 + 2 * P + p]! + w3 * dy[d0 + 3 * P + p]!;
    }
  }
}

/** dcols (K, P) += W[o0..o1]^T dy[o0..o1] for one sample, one output at a time. */
function colsGrad1(
  w: Float32Array,
  K: number,
  o0: number,
  o1: number,
  dy: Float32Array,
  dyFrom: number,
  P: number,
  dcols: Float64Array,
) {
  for (let k = 0; k < K; k++) {
    const row = k * P;
    for (let o = o0; o < o1; o++) {
      const wv = w[o * K + k]!;
      const d = dyFrom + o * P;
      for (let p = 0; p < P; p++) dcols[row + p]! += wv * dy[d + p]!;
    }
  }
}

/**
 * dcols (K, P) += W[o0..o1]^T dy[o0..o1] for one sample (dy rows start at dyFrom), four outputs at a time.
 * Each dcols value takes the outputs in order (the blocks of four, then the rest), row by row.
 */
function colsGrad(
  w: Float32Array,
  K: number,
  o0: number,
  o1: number,
  dy: Float32Array,
  dyFrom: number,
  P: number,
  dcols: Float64Array,
) {
  const o4 = o1 - ((o1 - o0) % 4);
  if (o4 > o0) colsGrad4(w, K, o0, o4, dy, dyFrom, P, dcols);
  if (o4 < o1) colsGrad1(w, K, o4, o1, dy, dyFrom, P, dcols);
}

/** db[o] += the sum of dy over the batch and positions of output channel o, in order (n, p). */
function biasGrad(dy: Float32Array, N: number, O: number, P: number, db: Float32Array): void {
  for (let o = 0; o < O; o++) {
    let s = 0;
    for (let n = 0; n < N; n++) for (let p = (n * O + o) * P, e = p + P; p < e; p++) s += dy[p]!;
    db[o]! += s;
  }
}

/** to[toFrom + k] += from[k] for k < count: the float64 accumulator rounded once onto the float32 gradient. */
function addInto(to: Float32Array, toFrom: number, from: Float64Array, count: number): void {
  for (let k = 0; k < count; k++) to[toFrom + k]! += from[k]!;
}

/** The forward of sample n, group g: y rows of the group's outputs from the input columns. */
function forwardGroup(
  geo: Geometry,
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | undefined,
  y: Float32Array,
  n: number,
  g: number,
  cols: Float32Array,
  acc: Float64Array,
): void {
  const K = geo.Cg * geo.KH * geo.KW;
  const P = geo.OH * geo.OW;
  im2col(geo, x, n, g, cols);
  for (let o = g * geo.Og; o < (g + 1) * geo.Og; o++) {
    acc.fill(bias ? bias[o]! : 0);
    rowsTimes(w, o * K, cols, K, P, acc);
    y.set(acc, (n * geo.O + o) * P);
  }
}

export const conv2d: CpuKernel<'conv2d'> = {
  // x (N, C, H, W), weight (O, C/groups, KH, KW), bias (O) -> y (N, O, OH, OW)
  forward({ attrs, inputs, output }) {
    const geo = new Geometry(attrs, inputs.x, inputs.weight, output);
    const K = geo.Cg * geo.KH * geo.KW;
    const P = geo.OH * geo.OW;
    const x = inputs.x.f;
    const w = inputs.weight.f;
    const bias = inputs.bias?.f;
    const y = output.f;
    const cols = new Float32Array(K * P);
    const acc = new Float64Array(P);
    for (let n = 0; n < geo.N; n++)
      for (let g = 0; g < geo.groups; g++) forwardGroup(geo, x, w, bias, y, n, g, cols, acc);
  },

  // dy (N, O, OH, OW) -> dx (N, C, H, W), dweight (O, C/groups, KH, KW), dbias (O)
  backward({ attrs, inputs, gradOutput, grads }) {
    const geo = new Geometry(attrs, inputs.x, inputs.weight, gradOutput);
    const N = geo.N;
    const O = geo.O;
    const Og = geo.Og;
    const Cg = geo.Cg;
    const HW = geo.H * geo.W;
    const K = Cg * geo.KH * geo.KW;
    const P = geo.OH * geo.OW;
    const x = inputs.x.f;
    const w = inputs.weight.f;
    const dy = gradOutput.f;

    const db = gradInto(grads.bias);
    if (db) biasGrad(dy, N, O, P, db);

    const dweight = gradInto(grads.weight);
    const dx = gradInto(grads.x);
    if (!dweight && !dx) return;
    const cols = new Float32Array(K * P);
    const dwAcc = new Float64Array(O * K);
    const dcols = new Float64Array(K * P);
    const dxAcc = new Float64Array(Cg * HW);
    for (let n = 0; n < N; n++)
      for (let g = 0; g < geo.groups; g++) {
        if (dweight) {
          im2col(geo, x, n, g, cols);
          for (let o = g * Og; o < (g + 1) * Og; o++) dotRows(dy, (n * O + o) * P, cols, K, P, dwAcc, o * K);
        }
        if (dx) {
          dcols.fill(0);
          colsGrad(w, K, g * Og, (g + 1) * Og, dy, n * O * P, P, dcols);
          dxAcc.fill(0);
          col2im(geo, dcols, dxAcc);
          addInto(dx, (n * geo.C + g * Cg) * HW, dxAcc, Cg * HW);
        }
      }
    if (dweight) addInto(dweight, 0, dwAcc, O * K);
  },
};
