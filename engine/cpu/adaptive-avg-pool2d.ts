// adaptive_avg_pool2d on the CPU: means over PyTorch's adaptive windows forward, spread evenly backward.

import { type CpuKernel, dims4, gradInto } from './tensor.ts';

/** PyTorch's adaptive window along an axis: [floor(o * size / out), ceil((o + 1) * size / out)). */
function adaptive(o: number, out: number, size: number): [number, number] {
  return [Math.floor((o * size) / out), Math.ceil(((o + 1) * size) / out)];
}

export const adaptiveAvgPool2d: CpuKernel<'adaptive_avg_pool2d'> = {
  // x (N, C, H, W) -> y (N, C, OH, OW)
  forward({ inputs, output }) {
    const [N, C, H, W] = dims4(inputs.x);
    const [, , OH, OW] = dims4(output);
    const x = inputs.x.f;
    const y = output.f;
    for (let p = 0; p < N * C; p++)
      for (let oh = 0; oh < OH; oh++) {
        const [h0, h1] = adaptive(oh, OH, H);
        for (let ow = 0; ow < OW; ow++) {
          const [w0, w1] = adaptive(ow, OW, W);
          let s = 0;
          for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) s += x[(p * H + h) * W + w]!;
          y[(p * OH + oh) * OW + ow] = s / ((h1 - h0) * (w1 - w0));
        }
      }
  },

  // dy (N, C, OH, OW) -> dx (N, C, H, W)
  backward({ inputs, gradOutput, grads }) {
    const dx = gradInto(grads.x);
    if (!dx) return;
    const [N, C, H, W] = dims4(inputs.x);
    const [, , OH, OW] = dims4(gradOutput);
    const dy = gradOutput.f;
    for (let p = 0; p < N * C; p++)
      for (let oh = 0; oh < OH; oh++) {
        const [h0, h1] = adaptive(oh, OH, H);
        for (let ow = 0; ow < OW; ow++) {
          const [w0, w1] = adaptive(ow, OW, W);
          const g = dy[(p * OH + oh) * OW + ow]! / ((h1 - h0) * (w1 - w0));
          for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) dx[(p * H + h) * W + w]! += g;
        }
      }
  },
};
