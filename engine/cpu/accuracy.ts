// accuracy on the CPU: how many samples' argmax (first maximum, like torch.argmax) equals the label.

import type { CpuKernel } from './tensor.ts';

export const accuracy: CpuKernel<'accuracy'> = {
  // logits (N, K), labels (N) int32 -> correct (1) int32
  forward({ inputs, output }) {
    const [N, K] = inputs.logits.shape as [number, number];
    const z = inputs.logits.f;
    let correct = 0;
    for (let n = 0; n < N; n++) {
      let best = 0;
      for (let k = 1; k < K; k++) if (z[n * K + k]! > z[n * K + best]!) best = k;
      if (best === inputs.labels.i[n]) correct++;
    }
    output.i[0] = correct;
  },

  backward() {
    throw new Error('accuracy has no gradient');
  },
};
