// BatchNorm 1d/2d on the GPU: per-channel statistics with fixed-order tree reductions
// (shaders/batch_norm_stats.wgsl) then normalisation (batch_norm_apply.wgsl) forward; per-channel sums
// (batch_norm_backward_sums.wgsl) then the input gradient (batch_norm_backward_apply.wgsl) backward.

import {
  type DispatchPlan,
  dimsNCS,
  elementGroups,
  type GpuKernel,
  optional,
  Params,
  tensor,
} from './dispatch-plan.ts';

/** PyTorch normalises with batch statistics in training, and always when it keeps no running stats. */
function usesBatchStats(training: boolean, trackRunningStats: boolean): boolean {
  return training || !trackRunningStats;
}

/**
 * The element passes' grid, 4 elements per invocation: x over S / 4, y over C, z over N (the kernels loop past
 * 65,535) when S >= 64, else flat.
 */
function channelGrid(N: number, C: number, S: number): number | [number, number, number] {
  return S >= 64 ? [Math.ceil(S / 256), C, Math.min(N, 65_535)] : elementGroups(Math.ceil((N * C * S) / 4));
}

export const batchNorm: GpuKernel<'batch_norm'> = {
  modal: true,

  // x (N, C, S) -> y (N, C, S); saved mean, invstd (C); running stats updated in training
  forward(step, ctx, training) {
    const a = step.attrs;
    const { x, weight, bias, running_mean, running_var, num_batches_tracked } = step.inputs;
    const [N, C, S] = dimsNCS(ctx.shape(x));
    const batchStats = usesBatchStats(training, a.trackRunningStats);
    if (batchStats && N * S < 2)
      throw new Error(`batch_norm: expected more than 1 value per channel when training, got ${N * S}`);
    const mode = !batchStats ? 2 : training ? 0 : 1;
    const stats: DispatchPlan = {
      spec: {
        name: 'batch_norm_stats',
        bindings: ['read-only-storage', 'storage', 'storage', 'storage', 'storage', 'storage', 'uniform'],
      },
      bindings: [
        tensor(x),
        optional(running_mean),
        optional(running_var),
        optional(num_batches_tracked),
        tensor(step.saved.mean),
        tensor(step.saved.invstd),
        new Params()
          .u32(N, C, S, mode, running_mean !== undefined)
          .f32(a.eps, a.momentum)
          .binding(),
      ],
      grid: [C, 1, 1],
    };
    const apply: DispatchPlan = {
      spec: {
        name: 'batch_norm_apply',
        bindings: [
          'read-only-storage',
          'read-only-storage',
          'read-only-storage',
          'read-only-storage',
          'read-only-storage',
          'storage',
          'uniform',
        ],
      },
      bindings: [
        tensor(x),
        tensor(step.saved.mean),
        tensor(step.saved.invstd),
        optional(weight),
        optional(bias),
        tensor(step.output),
        new Params().u32(N * C * S, C, S, a.affine, N).binding(),
      ],
      grid: channelGrid(N, C, S),
    };
    return [stats, apply];
  },

  // dy (N, C, S) -> dx (N, C, S), dweight (C), dbias (C)
  backward(step, ctx, training) {
    const a = step.attrs;
    const { x, weight } = step.inputs;
    const [N, C, S] = dimsNCS(ctx.shape(x));
    const { x: dx, weight: dw, bias: db } = step.grads;
    const sumsBytes = C * 2 * 4;
    const sums: DispatchPlan = {
      spec: {
        name: 'batch_norm_backward_sums',
        bindings: [
          'read-only-storage',
          'read-only-storage',
          'read-only-storage',
          'read-only-storage',
          'storage',
          'storage',
          'storage',
          'uniform',
        ],
      },
      bindings: [
        tensor(x),
        tensor(step.gradOutput),
        tensor(step.saved.mean),
        tensor(step.saved.invstd),
        optional(dw?.tensor),
        optional(db?.tensor),
        { scratch: 'bn.sums', bytes: sumsBytes },
        new Params()
          .u32(N, C, S, dw !== undefined, db !== undefined, dw?.accumulate ?? false, db?.accumulate ?? false)
          .binding(),
      ],
      grid: [C, 1, 1],
    };
    if (!dx) return [sums];
    const apply: DispatchPlan = {
      spec: {
        name: 'batch_norm_backward_apply',
        bindings: [
          'read-only-storage',
          'read-only-storage',
          'read-only-storage',
          'read-only-storage',
          'read-only-storage',
          'read-only-storage',
          'storage',
          'uniform',
        ],
      },
      bindings: [
        tensor(x),
        tensor(step.gradOutput),
        tensor(step.saved.mean),
        tensor(step.saved.invstd),
        optional(weight),
        { scratch: 'bn.sums', bytes: sumsBytes },
        tensor(dx.tensor),
        new Params()
          .u32(
            N * C * S,
            C,
            S,
            N * S,
            usesBatchStats(training, a.trackRunningStats),
            a.affine,
            dx.accumulate,
            N,
          )
          .binding(),
      ],
      grid: channelGrid(N, C, S),
    };
    return [sums, apply];
  },
};
