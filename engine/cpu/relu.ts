// relu on the CPU: max(0, x) forward; backward passes the gradient where the output is positive.
// NOTE: both passes work on the float32 bit patterns with integer masks instead of comparing floats: on data
// with mixed signs a compare-and-branch per element mispredicts half the time and ran 4-5x slower.

import { type CpuKernel, gradInto } from './tensor.ts';

/** Bit pattern of +Infinity: a non-negative pattern above it is a NaN. */
const INF_BITS = 0x7f800000;

let scratch = new Float32Array(0);

export const relu: CpuKernel<'relu'> = {
  // x (any shape) -> y (same)
  forward({ inputs, output }) {
    const x = inputs.x.i;
    const y = output.i;
    const n = x.length;
    // Keep the bits when the sign is clear or the value is a NaN (NaN stays NaN, as in PyTorch); else +0.
    for (let k = 0; k < n; k++) {
      const b = x[k]!;
      y[k] = b & (~(b >> 31) | ((INF_BITS - (b & 0x7fffffff)) >> 31));
    }
  },

  // dy -> dx = dy where y > 0 (so 0 at exactly 0 and at NaN, like PyTorch's threshold_backward)
  backward({ output, gradOutput, grads }) {
    const dx = gradInto(grads.x);
    if (!dx) return;
    const y = output.i;
    const dy = gradOutput.i;
    const n = y.length;
    if (scratch.length < n) scratch = new Float32Array(n);
    const passed = new Int32Array(scratch.buffer, 0, n);
    // y > 0 exactly when its bits are in (0, INF_BITS]: -b has its sign set, b - INF_BITS - 1 too.
    for (let k = 0; k < n; k++) {
      const b = y[k]!;
      passed[k] = dy[k]! & (-b >> 31) & ((b - INF_BITS - 1) >> 31);
    }
    const add = scratch;
    for (let k = 0; k < n; k++) dx[k]! += add[k]!;
  },
};
