// avg_pool2d on the CPU: window means forward, the gradient spread evenly over each window backward.

import { type CpuKernel, dims4, gradInto } from './tensor.ts';

/**
 * One window along an axis, as PyTorch's avg_pool2d computes it: [start, end) clipped to the input,
 * and the window's size counting padding (but never past the padded edge, which ceil_mode can reach).
 */
function window(o: number, kernel: number, stride: number, padding: number, size: number) {
  const start = o * stride - padding;
  const end = Math.min(start + kernel, size + padding);
  return { from: Math.max(start, 0), to: Math.min(end, size), padded: end - start };
}

export const avgPool2d: CpuKernel<'avg_pool2d'> = {
  // x (N, C, H, W) -> y (N, C, OH, OW)
  forward({ attrs, inputs, output }) {
    const [N, C, H, W] = dims4(inputs.x);
    const [, , OH, OW] = dims4(output);
    const x = inputs.x.f;
    const y = output.f;
    for (let p = 0; p < N * C; p++)
      for (let oh = 0; oh < OH; oh++) {
        const r = window(oh, attrs.kernelSize[0], attrs.stride[0], attrs.padding[0], H);
        for (let ow = 0; ow < OW; ow++) {
          const c = window(ow, attrs.kernelSize[1], attrs.stride[1], attrs.padding[1], W);
          const count = attrs.countIncludePad ? r.padded * c.padded : (r.to - r.from) * (c.to - c.from);
          let s = 0;
          for (let h = r.from; h < r.to; h++)
            for (let w = c.from; w < c.to; w++) s += x[(p * H + h) * W + w]!;
          y[(p * OH + oh) * OW + ow] = s / count;
        }
      }
  },

  // dy (N, C, OH, OW) -> dx (N, C, H, W)
  backward({ attrs, inputs, gradOutput, grads }) {
    const dx = gradInto(grads.x);
    if (!dx) return;
    const [N, C, H, W] = dims4(inputs.x);
    const [, , OH, OW] = dims4(gradOutput);
    const dy = gradOutput.f;
    for (let p = 0; p < N * C; p++)
      for (let oh = 0; oh < OH; oh++) {
        const r = window(oh, attrs.kernelSize[0], attrs.stride[0], attrs.padding[0], H);
        for (let ow = 0; ow < OW; ow++) {
          const c = window(ow, attrs.kernelSize[1], attrs.stride[1], attrs.padding[1], W);
          const count = attrs.countIncludePad ? r.padded * c.padded : (r.to - r.from) * (c.to - c.from);
          const g = dy[(p * OH + oh) * OW + ow]! / count;
          for (let h = r.from; h < r.to; h++)
            for (let w = c.from; w < c.to; w++) dx[(p * H + h) * W + w]! += g;
        }
      }
  },
};
