// Optimizer updates on the CPU, step by step as torch 1.13's `_single_tensor_sgd` / `_single_tensor_adam(w)`.
// Every intermediate is rounded to float32 (Math.fround) where PyTorch writes a float32 tensor.

import type { AdamAttrs, SgdAttrs, UpdateAttrs, UpdateName } from '../compile/ops.ts';
import type { CpuTensor } from './tensor.ts';

const f = Math.fround;

export type CpuUpdate<K extends UpdateName> = (
  param: CpuTensor,
  grad: CpuTensor,
  state: Readonly<Record<string, CpuTensor>>,
  attrs: UpdateAttrs[K],
) => void;

export const sgd: CpuUpdate<'sgd'> = (param, grad, state, a: SgdAttrs) => {
  const p = param.f;
  const g = grad.f;
  const buf = state.momentum_buffer?.f;
  if (a.momentum !== 0 && !buf) throw new Error('sgd with momentum needs a momentum_buffer');
  for (let k = 0; k < p.length; k++) {
    let d = g[k]!;
    if (a.weightDecay !== 0) d = f(d + f(a.weightDecay) * p[k]!);
    if (a.momentum !== 0) {
      // NOTE: the first step copies d into the buffer; dampening only applies from the second step.
      const b = a.firstStep ? d : f(f(buf![k]! * f(a.momentum)) + f(1 - a.dampening) * d);
      buf![k] = b;
      d = a.nesterov ? f(d + f(a.momentum) * b) : b;
    }
    p[k] = f(p[k]! - f(a.lr) * d);
  }
};

export const adam: CpuUpdate<'adam'> = (param, grad, state, a: AdamAttrs) => {
  const p = param.f;
  const g = grad.f;
  const m = state.exp_avg!.f;
  const v = state.exp_avg_sq!.f;
  // Bias corrections in float64, as torch computes them from the Python step count.
  const stepSize = a.lr / (1 - a.beta1 ** a.step);
  const correction2Sqrt = Math.sqrt(1 - a.beta2 ** a.step);
  const decay = f(1 - a.lr * a.weightDecay);
  for (let k = 0; k < p.length; k++) {
    let d = g[k]!;
    if (a.decoupledWeightDecay) p[k] = f(p[k]! * decay);
    else if (a.weightDecay !== 0) d = f(d + f(a.weightDecay) * p[k]!);
    m[k] = f(f(m[k]! * f(a.beta1)) + f(1 - a.beta1) * d);
    v[k] = f(f(v[k]! * f(a.beta2)) + f(1 - a.beta2) * f(d * d));
    const denom = f(f(Math.sqrt(v[k]!) / f(correction2Sqrt)) + f(a.eps));
    p[k] = f(p[k]! - f(stepSize) * f(m[k]! / denom));
  }
};
