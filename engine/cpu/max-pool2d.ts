// max_pool2d on the CPU: forward records where each maximum came from; backward routes the gradient there.

import { type CpuKernel, dims4, gradInto } from './tensor.ts';

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
