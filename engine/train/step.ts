// One guarded training step: forward, loss, backward; the loss checked before the optimizer may touch the
// weights (NaN or infinity leaves them, and BatchNorm's running statistics, as they were); clipping; update.

import type { Executor, HostData } from '../compile/backend.ts';
import type { Program } from '../compile/program.ts';
import { clipGradNorm } from './clip.ts';
import type { Optimizer } from './optimizers.ts';
import { type Batch, runBackward, runForward } from './train-step.ts';

/** A batch already in some other form (on the device): writes itself into the program's batch and labels. */
export interface BatchWrite {
  write(exec: Executor<Program>): void;
}

export interface GuardedStepResult {
  /** Mean cross-entropy of the batch before the update. */
  loss: number;
  correct: number;
  /** Global gradient norm before clipping; null when clipping is off. */
  gradNorm: number | null;
  /** false: the loss was NaN or infinite and nothing was updated. */
  finite: boolean;
}

/**
 * trainStep (train-step.ts) with a guard. `randomKey` is the step's (seed, step) for random ops such as dropout
 * (randomKeyData in op-numerics.ts); networks without them ignore it. The guard: the loss is read after backward, and only a finite loss lets the
 * optimizer run. NOTE: a training forward updates BatchNorm's running statistics in place, so they are read
 * before it (when the network has any) and written back when the step is refused.
 */
export async function guardedTrainStep(
  exec: Executor<Program>,
  optimizer: Optimizer,
  batch: Batch | BatchWrite,
  clipNorm: number | null,
  randomKey: Int32Array | null = null,
): Promise<GuardedStepResult> {
  const program = exec.program;
  // NOTE: programs with random ops (dropout) hold an int32 (seed, step) key that must change every step; read
  // structurally so this file does not depend on which ops the compiler has.
  const keyTensor = (program as { randomKey?: number | null }).randomKey;
  if (keyTensor !== undefined && keyTensor !== null) {
    if (!randomKey)
      throw new Error("this network draws random numbers (dropout): pass the step's random key");
    exec.write(keyTensor, randomKey);
  }
  const buffers = program.state.filter((e) => e.role === 'buffer');
  const saved: HostData[] = await Promise.all(buffers.map((e) => exec.read(e.tensor)));
  if ('write' in batch) batch.write(exec);
  else {
    exec.write(program.batch, batch.images);
    exec.write(program.labels, batch.labels);
  }
  runForward(exec, true);
  runBackward(exec, true);
  await exec.flush();
  const [loss, correct] = await Promise.all([exec.read(program.loss), exec.read(program.correct)]);
  const result = { loss: loss[0]!, correct: correct[0]!, gradNorm: null, finite: true };
  if (!Number.isFinite(result.loss)) {
    for (const [i, e] of buffers.entries()) exec.write(e.tensor, saved[i]!);
    await exec.flush();
    return { ...result, finite: false };
  }
  const gradNorm = clipNorm === null ? null : await clipGradNorm(exec, clipNorm);
  optimizer.step(exec);
  // NOTE: WebGPU's optional submit() sends the update without waiting (the next read waits for it); backends
  // without it are flushed.
  const submittable = exec as { submit?(): void };
  if (submittable.submit) submittable.submit();
  else await exec.flush();
  return { ...result, gradNorm };
}
