// BatchNorm 1d/2d on the GPU: per-channel statistics with fixed-order tree reductions
// (shaders/batch_norm_stats.wgsl) then normalisation (batch_norm_apply.wgsl) forward; per-channel sums
// (batch_norm_backward_sums.wgsl) then the input gradient (batch_norm_backward_apply.wgsl) backward.

import type { WorkgroupGrid } from '../gpu/index.ts';
import {
  type DispatchPlan,
  dimsNCS,
  elementGroups,
  elementType,
  type GpuKernel,
  optional,
  Params,
  tensor,
} from './dispatch-plan.ts';

/** PyTorch normalises with batch statistics in training, and always when it keeps no running stats. */
function usesBatchStats(training: boolean, trackRunningStats: boolean): boolean {
  return training || !trackRunningStats;
}

/** Workgroups the gridded element passes aim for: each invocation loops over N / z samples... */
const ELEMENT_WORKGROUPS = 256;

/** ...so that a channel's constants are read once per run rather than once per element. */
function rowGrid(N: number, C: number, s: number): WorkgroupGrid {
  const plane = Math.ceil(s / 64) * C;
  return [Math.ceil(s / 64), C, Math.min(N, 65_535, Math.max(1, Math.ceil(ELEMENT_WORKGROUPS / plane)))];
}

/**
 * How BatchNorm's kernels read an (N, C, S) tensor: as T (elementType: vec4f when S is a multiple of 4), `s`
 * elements of T per channel row; the element passes on a grid (x over s, y over C, z over N, looping past
 * 65,535) when rows are long enough to fill workgroups, else flat.
 */
function layout(N: number, C: number, S: number) {
  const { width, template } = elementType(S);
  const s = S / width;
  const gridded = s >= 16;
  return {
    s,
    gridded,
    grid: gridded ? rowGrid(N, C, s) : elementGroups(N * C * s),
    template,
    /** For the statistics kernels: the sum of a T's lanes (`total(v)`). */
    sums: { ...template, SUM: width === 4 ? '(v.x + v.y) + (v.z + v.w)' : 'v' },
  };
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
    const rows = layout(N, C, S);
    const stats: DispatchPlan = {
      spec: {
        name: 'batch_norm_stats',
        bindings: ['read-only-storage', 'storage', 'storage', 'storage', 'storage', 'storage', 'uniform'],
        template: rows.sums,
      },
      bindings: [
        tensor(x),
        optional(running_mean),
        optional(running_var),
        optional(num_batches_tracked),
        tensor(step.saved.mean),
        tensor(step.saved.invstd),
        new Params()
          .u32(N, C, rows.s, mode, running_mean !== undefined)
          .f32(a.eps, a.momentum)
          .u32(N * S)
          .binding(),
      ],
      grid: [C, 1, 1],
    };
    const apply: DispatchPlan = {
      spec: {
        name: 'batch_norm_apply',
        template: rows.template,
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
        new Params().u32(N * C * rows.s, C, rows.s, a.affine, N, rows.gridded).binding(),
      ],
      grid: rows.grid,
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
    const rows = layout(N, C, S);
    const sums: DispatchPlan = {
      spec: {
        name: 'batch_norm_backward_sums',
        template: rows.sums,
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
          .u32(
            N,
            C,
            rows.s,
            dw !== undefined,
            db !== undefined,
            dw?.accumulate ?? false,
            db?.accumulate ?? false,
          )
          .binding(),
      ],
      grid: [C, 1, 1],
    };
    if (!dx) return [sums];
    const apply: DispatchPlan = {
      spec: {
        name: 'batch_norm_backward_apply',
        template: rows.template,
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
            N * C * rows.s,
            C,
            rows.s,
            N * S,
            usesBatchStats(training, a.trackRunningStats),
            a.affine,
            dx.accumulate,
            N,
            rows.gridded,
          )
          .binding(),
      ],
      grid: rows.grid,
    };
    return [sums, apply];
  },
};
