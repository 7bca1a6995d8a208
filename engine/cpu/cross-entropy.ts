// cross_entropy on the CPU: mean loss over the batch from logits (with label smoothing), and its gradient.

import { type CpuKernel, gradInto } from './tensor.ts';

function checkLabel(label: number, classes: number, n: number): void {
  if (!(label >= 0 && label < classes))
    throw new Error(`cross_entropy: label ${label} of sample ${n} is outside 0..${classes - 1}`);
}

export const crossEntropy: CpuKernel<'cross_entropy'> = {
  // logits (N, K), labels (N) int32 -> loss (1); saved probs (N, K) = softmax(logits)
  forward({ attrs, inputs, output, saved }) {
    const [N, K] = inputs.logits.shape as [number, number];
    const z = inputs.logits.f;
    const labels = inputs.labels.i;
    const probs = saved.probs.f;
    const eps = attrs.labelSmoothing;
    let total = 0;
    for (let n = 0; n < N; n++) {
      const row = n * K;
      let max = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < K; k++) max = Math.max(max, z[row + k]!);
      let sum = 0;
      for (let k = 0; k < K; k++) sum += Math.exp(z[row + k]! - max);
      const logSum = max + Math.log(sum);
      let sumLogP = 0;
      for (let k = 0; k < K; k++) {
        const logP = z[row + k]! - logSum;
        probs[row + k] = Math.exp(logP);
        sumLogP += logP;
      }
      const label = labels[n]!;
      checkLabel(label, K, n);
      // -sum_k q_k log p_k with q = (1 - eps) one_hot + eps / K
      total += -(1 - eps) * (z[row + label]! - logSum) - (eps / K) * sumLogP;
    }
    output.f[0] = total / N;
  },

  // dloss (1) -> dlogits (N, K) = dloss * (p - q) / N
  backward({ attrs, inputs, saved, gradOutput, grads }) {
    const dz = gradInto(grads.logits);
    if (!dz) return;
    const [N, K] = inputs.logits.shape as [number, number];
    const labels = inputs.labels.i;
    const probs = saved.probs.f;
    const scale = gradOutput.f[0]! / N;
    const eps = attrs.labelSmoothing;
    for (let n = 0; n < N; n++)
      for (let k = 0; k < K; k++) {
        const q = (k === labels[n] ? 1 - eps : 0) + eps / K;
        dz[n * K + k]! += scale * (probs[n * K + k]! - q);
      }
  },
};
