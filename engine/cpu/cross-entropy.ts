// cross_entropy on the CPU: mean loss over the batch from logits (with label smoothing and class weights, as
// PyTorch's weighted mean), and its gradient.

import { type CpuKernel, gradInto } from './tensor.ts';

function checkLabel(label: number, classes: number, n: number): void {
  if (!(label >= 0 && label < classes))
    throw new Error(`cross_entropy: label ${label} of sample ${n} is outside 0..${classes - 1}`);
}

export const crossEntropy: CpuKernel<'cross_entropy'> = {
  // logits (N, K), labels (N) int32 -> loss (1); saved probs (N, K) = softmax(logits), weightSum (1)
  forward({ attrs, inputs, output, saved }) {
    const [N, K] = inputs.logits.shape as [number, number];
    const z = inputs.logits.f;
    const labels = inputs.labels.i;
    const probs = saved.probs.f;
    const eps = attrs.labelSmoothing;
    const w = attrs.classWeights;
    let total = 0;
    let weightSum = 0;
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
        sumLogP += (w ? w[k]! : 1) * logP;
      }
      const label = labels[n]!;
      checkLabel(label, K, n);
      const wy = w ? w[label]! : 1;
      weightSum += wy;
      // -sum_k q_k w_k log p_k with q = (1 - eps) one_hot + eps / K
      total += -(1 - eps) * wy * (z[row + label]! - logSum) - (eps / K) * sumLogP;
    }
    saved.weightSum.f[0] = weightSum;
    output.f[0] = total / weightSum;
  },

  // dloss (1) -> dlogits (N, K) = dloss / W * [(1 - eps) w_y (p - one_hot) + eps / K (p sum_j w_j - w)],
  // which is dloss * (p - q) / N without class weights
  backward({ attrs, inputs, saved, gradOutput, grads }) {
    const dz = gradInto(grads.logits);
    if (!dz) return;
    const [N, K] = inputs.logits.shape as [number, number];
    const labels = inputs.labels.i;
    const probs = saved.probs.f;
    const eps = attrs.labelSmoothing;
    const w = attrs.classWeights;
    if (!w) {
      const scale = gradOutput.f[0]! / N;
      for (let n = 0; n < N; n++)
        for (let k = 0; k < K; k++) {
          const q = (k === labels[n] ? 1 - eps : 0) + eps / K;
          dz[n * K + k]! += scale * (probs[n * K + k]! - q);
        }
      return;
    }
    const scale = gradOutput.f[0]! / saved.weightSum.f[0]!;
    const total = w.reduce((a, b) => a + b, 0);
    for (let n = 0; n < N; n++) {
      const wy = w[labels[n]!]!;
      for (let k = 0; k < K; k++) {
        const p = probs[n * K + k]!;
        const hard = (1 - eps) * wy * (p - (k === labels[n] ? 1 : 0));
        dz[n * K + k]! += scale * (hard + (eps / K) * (p * total - w[k]!));
      }
    }
  },
};
