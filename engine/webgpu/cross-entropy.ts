// Softmax cross-entropy (mean, label smoothing, class weights) and the correct count on the GPU
// (shaders/cross_entropy.wgsl, cross_entropy_backward.wgsl, accuracy.wgsl).

import type { CrossEntropyAttrs } from '../compile/ops.ts';
import { elementGroups, type GpuKernel, Params, tensor } from './dispatch-plan.ts';

/** The class weights as a uniform table of vec4 rows, and how the kernels are specialised on them. */
function classWeights(attrs: CrossEntropyAttrs) {
  const w = attrs.classWeights;
  const rows = w ? Math.max(1, Math.ceil(w.length / 4)) : 1;
  if (rows > 4096) throw new Error(`cross_entropy: ${w!.length} class weights exceed a uniform table`);
  const table = new Params().f32(...(w ?? [0]));
  return {
    constants: { WEIGHTED: w !== undefined },
    template: { ROWS: String(rows) },
    binding: table.binding(),
    total: Math.fround((w ?? []).reduce((a, b) => a + b, 0)),
  };
}

export const crossEntropy: GpuKernel<'cross_entropy'> = {
  // logits (N, K), labels (N) int32 -> loss (1); saved probs (N, K)
  forward(step, ctx) {
    const [N, K] = ctx.shape(step.inputs.logits) as [number, number];
    const weights = classWeights(step.attrs);
    return [
      {
        spec: {
          name: 'cross_entropy',
          bindings: [
            'read-only-storage',
            'read-only-storage',
            'storage',
            'storage',
            'uniform',
            'uniform',
            'storage',
          ],
          constants: weights.constants,
          template: weights.template,
        },
        bindings: [
          tensor(step.inputs.logits),
          tensor(step.inputs.labels),
          tensor(step.saved.probs),
          tensor(step.output),
          new Params().u32(N, K).f32(step.attrs.labelSmoothing).u32(0x7fc00000).binding(),
          weights.binding,
          tensor(step.saved.weightSum),
        ],
        grid: [1, 1, 1],
      },
    ];
  },

  // dloss (1) -> dlogits (N, K) (+)= dloss * (p - q) / N
  backward(step, ctx) {
    const g = step.grads.logits;
    if (!g) return [];
    const [N, K] = ctx.shape(step.inputs.logits) as [number, number];
    const weights = classWeights(step.attrs);
    return [
      {
        spec: {
          name: 'cross_entropy_backward',
          bindings: [
            'read-only-storage',
            'read-only-storage',
            'read-only-storage',
            'storage',
            'uniform',
            'uniform',
            'read-only-storage',
          ],
          constants: weights.constants,
          template: weights.template,
        },
        bindings: [
          tensor(step.saved.probs),
          tensor(step.inputs.labels),
          tensor(step.gradOutput),
          tensor(g.tensor),
          new Params()
            .u32(N, K)
            .f32(step.attrs.labelSmoothing)
            .u32(g.accumulate)
            .f32(weights.total)
            .u32(0, 0, 0)
            .binding(),
          weights.binding,
          tensor(step.saved.weightSum),
        ],
        grid: elementGroups(N * K),
      },
    ];
  },
};

export const accuracy: GpuKernel<'accuracy'> = {
  // logits (N, K), labels (N) int32 -> correct (1) int32
  forward(step, ctx) {
    const [N, K] = ctx.shape(step.inputs.logits) as [number, number];
    return [
      {
        spec: {
          name: 'accuracy',
          bindings: ['read-only-storage', 'read-only-storage', 'storage', 'uniform'],
        },
        bindings: [
          tensor(step.inputs.logits),
          tensor(step.inputs.labels),
          tensor(step.output),
          new Params().u32(N, K).binding(),
        ],
        grid: [1, 1, 1],
      },
    ];
  },

  backward() {
    throw new Error('accuracy has no gradient');
  },
};
