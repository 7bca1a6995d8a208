// conv2d on the CPU with groups, stride, padding and dilation, forward and backward: im2col, matrix products and
// col2im, all in engine/cpu/gemm.ts's WebAssembly kernel. Sums run in float64 in a fixed order, so results are
// deterministic and rounded once to float32.

import type { Conv2dAttrs } from '../compile/ops.ts';
import { gemmCol2im, gemmConvProduct, gemmConvTimes, gemmPackA, gemmProduct, type Product } from './gemm.ts';
import { type CpuKernel, type CpuTensor, dims4, gradInto } from './tensor.ts';

/** The shapes and window one call needs (a gemm.ts ConvWindow: the kernel builds the columns from it). */
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
  }
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
function addInto(to: Float32Array, toFrom: number, from: Float64Array, at: number, count: number): void {
  for (let k = 0; k < count; k++) to[toFrom + k]! += from[at + k]!;
}

/** y[yFrom + o * P + p] = bias[o0 + o] + C(o, p), rounded once to float32, for o < Og. */
function storeRows(
  c: Product,
  Og: number,
  P: number,
  bias: Float32Array | undefined,
  o0: number,
  y: Float32Array,
  yFrom: number,
): void {
  const data = c.data;
  for (let o = 0; o < Og; o++) {
    const b = bias ? bias[o0 + o]! : 0;
    const from = c.at + o * c.ld;
    const to = yFrom + o * P;
    for (let p = 0; p < P; p++) y[to + p] = b + data[from + p]!;
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
    const Og = geo.Og;
    const HW = geo.H * geo.W;
    for (let g = 0; g < geo.groups; g++) {
      // y (Og, P) = W (Og, K) cols (K, P), the group's weights packed once for every sample
      gemmPackA(Og, K, { data: w, from: g * Og * K, row: K, step: 1 });
      for (let n = 0; n < geo.N; n++) {
        const product = gemmConvProduct(geo, x, (n * geo.C + g * geo.Cg) * HW, 'positions');
        storeRows(product, Og, P, bias, g * Og, y, (n * geo.O + g * Og) * P);
      }
    }
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
    const dwAcc = new Float64Array(O * K);
    if (dweight)
      for (let n = 0; n < N; n++)
        for (let g = 0; g < geo.groups; g++) {
          // dW (Og, K) += dy (Og, P) cols^T (P, K)
          gemmPackA(Og, P, { data: dy, from: (n * O + g * Og) * P, row: P, step: 1 });
          gemmConvTimes(geo, x, (n * geo.C + g * Cg) * HW, 'taps', dwAcc, g * Og * K, K);
        }
    if (dx)
      for (let g = 0; g < geo.groups; g++) {
        // dcols (K, P) = W^T (K, Og) dy (Og, P), the group's weights packed once for every sample
        gemmPackA(K, Og, { data: w, from: g * Og * K, row: 1, step: K });
        for (let n = 0; n < N; n++) {
          const dcols = gemmProduct(P, { data: dy, from: (n * O + g * Og) * P, row: 1, step: P });
          const grad = gemmCol2im(geo, dcols);
          addInto(dx, (n * geo.C + g * Cg) * HW, grad.data, grad.at, Cg * HW);
        }
      }
    if (dweight) addInto(dweight, 0, dwAcc, 0, O * K);
  },
};
