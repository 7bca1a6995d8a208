// batch_norm on the CPU for (N, C), (N, C, L) and (N, C, H, W): batch or running statistics forward,
// the running-stat update in training, and backward for both modes.

import { type CpuKernel, dimsNCS, gradInto } from './tensor.ts';

/** PyTorch normalises with batch statistics in training, and always when it keeps no running stats. */
function usesBatchStats(training: boolean, trackRunningStats: boolean): boolean {
  return training || !trackRunningStats;
}

export const batchNorm: CpuKernel<'batch_norm'> = {
  // x (N, C, S) -> y (N, C, S); saved mean, invstd (C); running_mean, running_var (C) updated in training
  forward({ attrs, inputs, output, saved, training }) {
    const [N, C, S] = dimsNCS(inputs.x);
    const M = N * S;
    const x = inputs.x.f;
    const y = output.f;
    const batchStats = usesBatchStats(training, attrs.trackRunningStats);
    if (batchStats && M < 2)
      throw new Error(`batch_norm: expected more than 1 value per channel when training, got ${M}`);
    const rm = inputs.running_mean?.f;
    const rv = inputs.running_var?.f;
    for (let c = 0; c < C; c++) {
      let mean: number;
      let invstd: number;
      if (batchStats) {
        let s = 0;
        for (let n = 0; n < N; n++) for (let k = (n * C + c) * S, e = k + S; k < e; k++) s += x[k]!;
        mean = s / M;
        let v = 0;
        for (let n = 0; n < N; n++)
          for (let k = (n * C + c) * S, e = k + S; k < e; k++) v += (x[k]! - mean) * (x[k]! - mean);
        const variance = v / M;
        invstd = 1 / Math.sqrt(variance + attrs.eps);
        if (training && rm && rv) {
          // NOTE: the running variance takes the UNBIASED batch variance (divided by M - 1).
          rm[c] = (1 - attrs.momentum) * rm[c]! + attrs.momentum * mean;
          rv[c] = (1 - attrs.momentum) * rv[c]! + (attrs.momentum * v) / (M - 1);
        }
      } else {
        mean = rm![c]!;
        invstd = 1 / Math.sqrt(rv![c]! + attrs.eps);
      }
      saved.mean.f[c] = mean;
      saved.invstd.f[c] = invstd;
      const scale = (inputs.weight ? inputs.weight.f[c]! : 1) * invstd;
      const shift = inputs.bias ? inputs.bias.f[c]! : 0;
      for (let n = 0; n < N; n++)
        for (let k = (n * C + c) * S, e = k + S; k < e; k++) y[k] = (x[k]! - mean) * scale + shift;
    }
    if (training && inputs.num_batches_tracked) inputs.num_batches_tracked.i[0]! += 1;
  },

  // dy (N, C, S) -> dx (N, C, S), dweight (C), dbias (C)
  backward({ attrs, inputs, saved, gradOutput, grads, training }) {
    const [N, C, S] = dimsNCS(inputs.x);
    const M = N * S;
    const x = inputs.x.f;
    const dy = gradOutput.f;
    const batchStats = usesBatchStats(training, attrs.trackRunningStats);
    const dx = gradInto(grads.x);
    const dw = gradInto(grads.weight);
    const db = gradInto(grads.bias);
    for (let c = 0; c < C; c++) {
      const mean = saved.mean.f[c]!;
      const invstd = saved.invstd.f[c]!;
      let sumDy = 0;
      let sumDyXhat = 0;
      for (let n = 0; n < N; n++)
        for (let k = (n * C + c) * S, e = k + S; k < e; k++) {
          sumDy += dy[k]!;
          sumDyXhat += dy[k]! * (x[k]! - mean) * invstd;
        }
      if (dw) dw[c]! += sumDyXhat;
      if (db) db[c]! += sumDy;
      if (!dx) continue;
      const scale = (inputs.weight ? inputs.weight.f[c]! : 1) * invstd;
      // Batch statistics depend on x too: dx = w * invstd * (dy - mean(dy) - xhat * mean(dy * xhat)).
      const meanDy = batchStats ? sumDy / M : 0;
      const meanDyXhat = batchStats ? sumDyXhat / M : 0;
      for (let n = 0; n < N; n++)
        for (let k = (n * C + c) * S, e = k + S; k < e; k++)
          dx[k]! += scale * (dy[k]! - meanDy - (x[k]! - mean) * invstd * meanDyXhat);
    }
  },
};
