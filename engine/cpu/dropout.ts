// dropout on the CPU: the reference for the counter-based mask (op-numerics.ts), drawn again in backward.

import { dropoutBits, dropoutScale, dropoutStepKey, dropoutThreshold } from '../compile/op-numerics.ts';
import type { DropoutAttrs } from '../compile/ops.ts';
import { type CpuKernel, type CpuTensor, gradInto } from './tensor.ts';

/** The multiplier of each element, 0 (dropped) or 1 / (1 - p), from the key (seed, step) and the op's stream. */
function multipliers(attrs: DropoutAttrs, key: CpuTensor, count: number): Float32Array {
  const stepKey = dropoutStepKey(key.i[0]!, key.i[1]!, attrs.stream);
  const threshold = dropoutThreshold(attrs.p);
  const scale = dropoutScale(attrs.p);
  const m = new Float32Array(count);
  for (let k = 0; k < count; k++) m[k] = dropoutBits(stepKey, k) >>> 8 < threshold ? 0 : scale;
  return m;
}

export const dropout: CpuKernel<'dropout'> = {
  // x (any shape), key (2) -> y (same): y = x * m in training, y = x in eval mode
  forward({ attrs, inputs, output, training }) {
    const x = inputs.x.f;
    const y = output.f;
    if (!training) {
      y.set(x);
      return;
    }
    // NOTE: a multiply, not a select, so a NaN stays NaN where it is dropped, as torch's input * noise does.
    const m = multipliers(attrs, inputs.key, x.length);
    for (let k = 0; k < x.length; k++) y[k] = x[k]! * m[k]!;
  },

  // dy -> dx += dy * m (the same mask, redrawn from the key), or dy in eval mode
  backward({ attrs, inputs, gradOutput, grads, training }) {
    const dx = gradInto(grads.x);
    if (!dx) return;
    const dy = gradOutput.f;
    if (!training) {
      for (let k = 0; k < dy.length; k++) dx[k]! += dy[k]!;
      return;
    }
    const m = multipliers(attrs, inputs.key, dy.length);
    for (let k = 0; k < dy.length; k++) dx[k]! += dy[k]! * m[k]!;
  },
};
