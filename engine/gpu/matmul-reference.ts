// CPU reference for matmul (same shapes and flags as the GPU kernels), in float64 sums: the tests' ground truth.

import { type MatmulShape, normalizeShape } from './matmul.ts';

/** out = op(A) * op(B) (+ bias) (+ out when accumulate); returns out (a new array unless one is given). */
export function matmulReference(
  a: Float32Array,
  b: Float32Array,
  shape: MatmulShape,
  bias?: Float32Array,
  out?: Float32Array,
): Float32Array {
  const s = normalizeShape(shape);
  const { m, n, k } = s;
  const result = out ?? new Float32Array((s.batch - 1) * s.batchStrideOut + m * n);
  for (let z = 0; z < s.batch; z++) {
    const baseA = z * s.batchStrideA;
    const baseB = z * s.batchStrideB;
    const baseOut = z * s.batchStrideOut;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = s.bias && bias ? bias[j]! : 0;
        for (let p = 0; p < k; p++) {
          const av = s.transposeA ? a[baseA + p * m + i]! : a[baseA + i * k + p]!;
          const bv = s.transposeB ? b[baseB + j * k + p]! : b[baseB + p * n + j]!;
          sum += av * bv;
        }
        const at = baseOut + i * n + j;
        result[at] = s.accumulate ? result[at]! + sum : sum;
      }
    }
  }
  return result;
}
