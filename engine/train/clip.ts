// Gradient clipping by global norm, as torch.nn.utils.clip_grad_norm_(parameters, max_norm) in torch 1.13,
// through the Executor interface: read every parameter gradient, scale them all, write them back.
//
// NOTE: this reads every gradient back to the host each step. On the CPU backend that is a copy; on WebGPU the loop
// clips on the device instead (DeviceSteps.clip, engine/webgpu/device-steps.ts) and uses this only on the host
// path.

import type { Executor } from '../compile/backend.ts';
import type { ProgramCore } from '../compile/program.ts';

const f = Math.fround;

/** sqrt of the sum of squares in float64, rounded to float32 (torch.norm of a float32 tensor, to rounding). */
function norm(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]! * values[i]!;
  return f(Math.sqrt(sum));
}

/**
 * Scales the gradients of the last backward so their global L2 norm is at most `maxNorm`; returns the norm
 * before clipping. As torch: total = norm(stack(norm(g) for g)), coef = max_norm / (total + 1e-6) in float32,
 * clamped to 1, every gradient multiplied by it. NOTE: a coefficient of 1 leaves the gradients as they are, so
 * they are only written back when clipping changes them.
 */
export async function clipGradNorm(exec: Executor<ProgramCore>, maxNorm: number): Promise<number> {
  const updates = exec.program.updates;
  if (updates.length === 0) return 0;
  await exec.flush();
  const grads = await Promise.all(updates.map((u) => exec.read(u.grad)));
  const total = norm(grads.map((g) => norm(g)));
  const coef = Math.min(f(f(1 / f(total + f(1e-6))) * f(maxNorm)), 1);
  if (coef < 1)
    updates.forEach((u, i) => {
      const g = grads[i] as Float32Array;
      for (let k = 0; k < g.length; k++) g[k] = f(g[k]! * coef);
      exec.write(u.grad, g);
    });
  return total;
}
