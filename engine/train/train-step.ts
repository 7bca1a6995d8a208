// One training step (forward, loss, backward, optimizer update) and evaluation over batches, on any backend.

import type { Executor } from '../compile/backend.ts';
import type { Program } from '../compile/program.ts';
import type { Optimizer } from './optimizers.ts';

/** One batch: images (N x C x H x W floats, NCHW) and int32 class labels (N). */
export interface Batch {
  images: Float32Array;
  labels: Int32Array;
}

export interface StepResult {
  /** Mean cross-entropy over the batch (before the update). */
  loss: number;
  /** Samples whose highest logit is the label. */
  correct: number;
}

function writeBatch(exec: Executor<Program>, batch: Batch): void {
  exec.write(exec.program.batch, batch.images);
  exec.write(exec.program.labels, batch.labels);
}

async function readResult(exec: Executor<Program>): Promise<StepResult> {
  const [loss, correct] = await Promise.all([exec.read(exec.program.loss), exec.read(exec.program.correct)]);
  return { loss: loss[0]!, correct: correct[0]! };
}

/** Runs every forward op; `training` selects batch statistics and updates BatchNorm's running stats. */
export function runForward(exec: Executor<Program>, training: boolean): void {
  for (let i = 0; i < exec.program.forward.length; i++) exec.forward(i, training);
}

/** Runs the tape: every gradient of the last forward (in training mode). */
export function runBackward(exec: Executor<Program>, training: boolean): void {
  for (let i = 0; i < exec.program.backward.length; i++) exec.backward(i, training);
}

/** Forward in training mode, loss, backward, optimizer update; returns the loss and correct count. */
export async function trainStep(
  exec: Executor<Program>,
  optimizer: Optimizer,
  batch: Batch,
): Promise<StepResult> {
  if (exec.program.mode !== 'train') throw new Error('trainStep needs a program compiled in train mode');
  writeBatch(exec, batch);
  runForward(exec, true);
  runBackward(exec, true);
  optimizer.step(exec);
  await exec.flush();
  return readResult(exec);
}

/** Forward in eval mode (running statistics, nothing updated) for one batch. */
export async function inferStep(exec: Executor<Program>, batch: Batch): Promise<StepResult> {
  writeBatch(exec, batch);
  runForward(exec, false);
  await exec.flush();
  return readResult(exec);
}

export interface Evaluation {
  /** Mean loss per sample. */
  loss: number;
  accuracy: number;
  correct: number;
  samples: number;
}

/**
 * Eval-mode loss and accuracy over full batches of the program's batch size.
 * NOTE: a last, smaller batch must be padded by the caller or evaluated with a program of its size.
 */
export async function evaluate(exec: Executor<Program>, batches: Iterable<Batch>): Promise<Evaluation> {
  let lossSum = 0;
  let correct = 0;
  let samples = 0;
  const n = exec.program.batchSize;
  for (const batch of batches) {
    const result = await inferStep(exec, batch);
    lossSum += result.loss * n;
    correct += result.correct;
    samples += n;
  }
  return {
    loss: samples ? lossSum / samples : Number.NaN,
    accuracy: samples ? correct / samples : Number.NaN,
    correct,
    samples,
  };
}
