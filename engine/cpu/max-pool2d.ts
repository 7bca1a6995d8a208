// max_pool2d on the CPU: forward records where each maximum came from; backward routes the gradient there.

import { type CpuKernel, dims4, gradInto } from './tensor.ts';

/** The larger of two window values by PyTorch's rule: strictly larger, or a NaN over a number (ties keep a). */
const takesB = (a: number, b: number) => b > a || (Number.isNaN(b) && !Number.isNaN(a));

/**
 * 2x2 windows at stride 2 with no padding or dilation (LeNet's, VGG's): the four values compared in pairs, (0, 1),
 * (2, 3), then the winners. NOTE: the same result as the generic loop (the first maximum in window order, the first
 * NaN over everything) with fewer dependent branches; on mixed-sign data that loop mispredicted often.
 */
function pool2x2(
  x: Float32Array,
  y: Float32Array,
  idx: Int32Array,
  planes: number,
  H: number,
  W: number,
  OH: number,
  OW: number,
) {
  for (let p = 0; p < planes; p++) {
    const plane = p * H * W;
    for (let oh = 0; oh < OH; oh++) {
      const o = (p * OH + oh) * OW;
      const top = 2 * oh * W;
      for (let ow = 0; ow < OW; ow++) {
        const a = top + 2 * ow;
        const v0 = x[plane + a]!;
        const v1 = x[plane + a + 1]!;
        const v2 = x[plane + a + W]!;
        const v3 = x[plane + a + W + 1]!;
        const first = takesB(v0, v1) ? 1 : 0;
        const second = takesB(v2, v3) ? 1 : 0;
        const m01 = first ? v1 : v0;
        const m23 = second ? v3 : v2;
        const lower = takesB(m01, m23);
        y[o + ow] = lower ? m23 : m01;
        idx[o + ow] = lower ? a + W + second : a + first;
      }
    }
  }
}

export const maxPool2d: CpuKernel<'max_pool2d'> = {
  // x (N, C, H, W) -> y (N, C, OH, OW), indices (N, C, OH, OW): h * W + w within the input plane
  forward({ attrs, inputs, output, saved }) {
    const [N, C, H, W] = dims4(inputs.x);
    const [, , OH, OW] = dims4(output);
    const [kh, kw] = attrs.kernelSize;
    const [sh, sw] = attrs.stride;
    const [ph, pw] = attrs.padding;
    const [dh, dw] = attrs.dilation;
    const x = inputs.x.f;
    const y = output.f;
    const idx = saved.indices.i;
    const plain2x2 =
      kh === 2 && kw === 2 && sh === 2 && sw === 2 && ph === 0 && pw === 0 && dh === 1 && dw === 1;
    if (plain2x2 && 2 * OH <= H && 2 * OW <= W) {
      pool2x2(x, y, idx, N * C, H, W, OH, OW);
      return;
    }
    for (let p = 0; p < N * C; p++) {
      const plane = p * H * W;
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++) {
          // NOTE: padding counts as -inf, not 0; ties and NaN resolve like PyTorch: the first maximum in
          // window order wins, and a NaN wins over everything.
          let best = Number.NEGATIVE_INFINITY;
          let where = -1;
          for (let i = 0; i < kh; i++) {
            const h = oh * sh - ph + i * dh;
            if (h < 0 || h >= H) continue;
            for (let j = 0; j < kw; j++) {
              const w = ow * sw - pw + j * dw;
              if (w < 0 || w >= W) continue;
              const v = x[plane + h * W + w]!;
              if (v > best || Number.isNaN(v) || where < 0) {
                best = v;
                where = h * W + w;
                if (Number.isNaN(v)) break;
              }
            }
            if (Number.isNaN(best)) break;
          }
          const o = (p * OH + oh) * OW + ow;
          y[o] = best;
          idx[o] = where;
        }
    }
  },

  // dy (N, C, OH, OW) -> dx (N, C, H, W): each output's gradient added at its maximum
  backward({ inputs, gradOutput, saved, grads }) {
    const dx = gradInto(grads.x);
    if (!dx) return;
    const [N, C, H, W] = dims4(inputs.x);
    const [, , OH, OW] = dims4(gradOutput);
    const dy = gradOutput.f;
    const idx = saved.indices.i;
    for (let p = 0; p < N * C; p++) {
      const plane = p * H * W;
      for (let k = p * OH * OW; k < (p + 1) * OH * OW; k++) dx[plane + idx[k]!]! += dy[k]!;
    }
  },
};
