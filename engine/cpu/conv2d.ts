// conv2d on the CPU: im2col + matrix products with groups, stride, padding and dilation; forward and
// backward. Sums run in float64 in a fixed order, so results are deterministic and rounded once to float32.

import type { Conv2dAttrs } from '../compile/ops.ts';
import { type CpuKernel, type CpuTensor, dims4, gradInto, validRange } from './tensor.ts';

/** The shapes and window geometry one call needs, with the valid output range of each kernel tap. */
function geometry(attrs: Conv2dAttrs, x: CpuTensor, weight: CpuTensor, y: CpuTensor) {
  const [N, C, H, W] = dims4(x);
  const [O, Cg, KH, KW] = dims4(weight);
  const [, , OH, OW] = dims4(y);
  const [sh, sw] = attrs.stride;
  const [ph, pw] = attrs.padding;
  const [dh, dw] = attrs.dilation;
  const rows = Array.from({ length: KH }, (_, kh) => validRange(OH, H, sh, ph, kh * dh));
  const cols = Array.from({ length: KW }, (_, kw) => validRange(OW, W, sw, pw, kw * dw));
  return { N, C, H, W, O, Cg, KH, KW, OH, OW, sh, sw, ph, pw, dh, dw, rows, cols, Og: O / attrs.groups };
}
type Geometry = ReturnType<typeof geometry>;

/**
 * cols (Cg*KH*KW, OH*OW): the input patches of sample n, group g, one row per kernel tap (c, kh, kw),
 * zero where the tap falls in the padding. Row order matches the weight's (Cg, KH, KW) layout.
 */
function im2col(geo: Geometry, x: Float32Array, n: number, g: number, cols: Float32Array): void {
  const { C, H, W, Cg, KH, KW, OH, OW, sh, sw, ph, pw, dh, dw } = geo;
  const P = OH * OW;
  cols.fill(0);
  for (let c = 0; c < Cg; c++) {
    const plane = (n * C + g * Cg + c) * H * W;
    for (let kh = 0; kh < KH; kh++) {
      const [oh0, oh1] = geo.rows[kh]!;
      for (let kw = 0; kw < KW; kw++) {
        const [ow0, ow1] = geo.cols[kw]!;
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
  const { H, W, Cg, KH, KW, OH, OW, sh, sw, ph, pw, dh, dw } = geo;
  const P = OH * OW;
  for (let c = 0; c < Cg; c++)
    for (let kh = 0; kh < KH; kh++) {
      const [oh0, oh1] = geo.rows[kh]!;
      for (let kw = 0; kw < KW; kw++) {
        const [ow0, ow1] = geo.cols[kw]!;
        const row = ((c * KH + kh) * KW + kw) * P;
        for (let oh = oh0; oh < oh1; oh++) {
          const to = c * H * W + (oh * sh - ph + kh * dh) * W - pw + kw * dw;
          const from = row + oh * OW;
          for (let ow = ow0; ow < ow1; ow++) dx[to + ow * sw]! += dcols[from + ow]!;
        }
      }
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
  let k = 0;
  for (; k + 4 <= K; k += 4) {
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
  for (; k < K; k++) {
    const wv = w[wFrom + k]!;
    const row = k * P;
    for (let p = 0; p < P; p++) acc[p]! += wv * cols[row + p]!;
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
  let k = 0;
  for (; k + 4 <= K; k += 4) {
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
  for (; k < K; k++) {
    let s = 0;
    const row = k * P;
    for (let p = 0; p < P; p++) s += dy[dyFrom + p]! * cols[row + p]!;
    out[outFrom + k]! += s;
  }
}

/** dcols (K, P) += W[o0..o1]^T dy[o0..o1] for one sample (dy rows start at dyFrom), four outputs at a time. */
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
  for (let k = 0; k < K; k++) {
    const row = k * P;
    let o = o0;
    for (; o + 4 <= o1; o += 4) {
      const w0 = w[o * K + k]!;
      const w1 = w[(o + 1) * K + k]!;
      const w2 = w[(o + 2) * K + k]!;
      const w3 = w[(o + 3) * K + k]!;
      const d0 = dyFrom + o * P;
      for (let p = 0; p < P; p++)
        dcols[row + p]! +=
          w0 * dy[d0 + p]! + w1 * dy[d0 + P + p]! + w2 * dy[d0 + 2 * P + p]! + w3 * dy[d0 + 3 * P + p]!;
    }
    for (; o < o1; o++) {
      const wv = w[o * K + k]!;
      const d = dyFrom + o * P;
      for (let p = 0; p < P; p++) dcols[row + p]! += wv * dy[d + p]!;
    }
  }
}

export const conv2d: CpuKernel<'conv2d'> = {
  // x (N, C, H, W), weight (O, C/groups, KH, KW), bias (O) -> y (N, O, OH, OW)
  forward({ attrs, inputs, output }) {
    const geo = geometry(attrs, inputs.x, inputs.weight, output);
    const { N, O, Og, Cg, KH, KW, OH, OW } = geo;
    const K = Cg * KH * KW;
    const P = OH * OW;
    const w = inputs.weight.f;
    const bias = inputs.bias?.f;
    const y = output.f;
    const cols = new Float32Array(K * P);
    const acc = new Float64Array(P);
    for (let n = 0; n < N; n++)
      for (let g = 0; g < attrs.groups; g++) {
        im2col(geo, inputs.x.f, n, g, cols);
        for (let o = g * Og; o < (g + 1) * Og; o++) {
          acc.fill(bias ? bias[o]! : 0);
          rowsTimes(w, o * K, cols, K, P, acc);
          y.set(acc, (n * O + o) * P);
        }
      }
  },

  // dy (N, O, OH, OW) -> dx (N, C, H, W), dweight (O, C/groups, KH, KW), dbias (O)
  backward({ attrs, inputs, gradOutput, grads }) {
    const geo = geometry(attrs, inputs.x, inputs.weight, gradOutput);
    const { N, C, H, W, O, Og, Cg, KH, KW, OH, OW } = geo;
    const K = Cg * KH * KW;
    const P = OH * OW;
    const w = inputs.weight.f;
    const dy = gradOutput.f;

    const db = gradInto(grads.bias);
    if (db)
      for (let o = 0; o < O; o++) {
        let s = 0;
        for (let n = 0; n < N; n++) for (let p = (n * O + o) * P, e = p + P; p < e; p++) s += dy[p]!;
        db[o]! += s;
      }

    const dweight = gradInto(grads.weight);
    const dx = gradInto(grads.x);
    if (!dweight && !dx) return;
    const cols = new Float32Array(K * P);
    const dwAcc = new Float64Array(O * K);
    const dcols = new Float64Array(K * P);
    const dxAcc = new Float64Array(Cg * H * W);
    for (let n = 0; n < N; n++)
      for (let g = 0; g < attrs.groups; g++) {
        if (dweight) {
          im2col(geo, inputs.x.f, n, g, cols);
          for (let o = g * Og; o < (g + 1) * Og; o++) {
            const out = (n * O + o) * P;
            dotRows(dy, out, cols, K, P, dwAcc, o * K);
          }
        }
        if (dx) {
          dcols.fill(0);
          colsGrad(w, K, g * Og, (g + 1) * Og, dy, n * O * P, P, dcols);
          dxAcc.fill(0);
          col2im(geo, dcols, dxAcc);
          const plane = (n * C + g * Cg) * H * W;
          for (let k = 0; k < Cg * H * W; k++) dx[plane + k]! += dxAcc[k]!;
        }
      }
    if (dweight) for (let k = 0; k < O * K; k++) dweight[k]! += dwAcc[k]!;
  },
};
