// Many training steps without a round trip per step: on WebGPU each step is one submitted command buffer and
// the loss and correct count accumulate on the device, read back every `readEvery` steps. Any backend works;
// one without device-side metrics reads them after each step.

import type { Executor, MetricTotals } from '../compile/backend.ts';
import { randomKeyData } from '../compile/op-numerics.ts';
import type { Program } from '../compile/program.ts';
import type { Optimizer } from './optimizers.ts';
import { type Batch, runBackward, runForward } from './train-step.ts';

export interface StepsRead {
  /** Steps finished so far in this call. */
  steps: number;
  /** Mean of the steps' mean losses since the previous read. */
  loss: number;
  /** Fraction of samples classified right since the previous read. */
  accuracy: number;
  /** Totals since the previous read. */
  totals: MetricTotals;
}

export interface TrainStepsOptions {
  /** Read the metrics back every this many steps (and after the last step). Default 10. */
  readEvery?: number;
  /**
   * Called after each read, when every step so far has finished on the device: the moment to keep a copy of
   * the weights (readState) as the last good state. Returning (or resolving to) false stops the loop.
   */
  onRead?: (read: StepsRead) => unknown;
  /**
   * Seed of random ops (Dropout): before each step the program's random key is set to (seed, optimizer.steps),
   * so every step draws new masks and a rerun draws the same ones. Default 0.
   */
  seed?: number;
}

/**
 * Trains on each batch in turn: forward, loss, backward and optimizer update per step, metrics every
 * `readEvery` steps. Returns every read.
 * NOTE: a lost device or a GPU error rejects with the runtime's GpuError at the next read (or the next
 * recorded step); the weights the last `onRead` saw are the last good ones.
 */
export async function trainSteps(
  exec: Executor<Program>,
  optimizer: Optimizer,
  batches: Iterable<Batch>,
  options: TrainStepsOptions = {},
): Promise<StepsRead[]> {
  const program = exec.program;
  if (program.mode !== 'train') throw new Error('trainSteps needs a program compiled in train mode');
  const readEvery = options.readEvery ?? 10;
  if (!Number.isInteger(readEvery) || readEvery < 1)
    throw new Error(`readEvery must be a positive integer, got ${readEvery}`);
  const onDevice = exec.accumulateMetrics !== undefined && exec.takeMetrics !== undefined;
  const host: MetricTotals = { loss: 0, correct: 0, steps: 0 };
  const reads: StepsRead[] = [];
  let steps = 0;
  let pending = 0;

  const read = async (): Promise<boolean> => {
    let totals: MetricTotals;
    if (onDevice) totals = await exec.takeMetrics!();
    else {
      totals = { ...host };
      Object.assign(host, { loss: 0, correct: 0, steps: 0 });
    }
    pending = 0;
    const result: StepsRead = {
      steps,
      loss: totals.loss / totals.steps,
      accuracy: totals.correct / (totals.steps * program.batchSize),
      totals,
    };
    reads.push(result);
    return (await options.onRead?.(result)) !== false;
  };

  if (onDevice) await exec.takeMetrics!(); // start from zero whatever earlier calls left
  for (const batch of batches) {
    exec.write(program.batch, batch.images);
    exec.write(program.labels, batch.labels);
    if (program.randomKey !== null)
      exec.write(program.randomKey, randomKeyData(options.seed ?? 0, optimizer.steps));
    runForward(exec, true);
    runBackward(exec, true);
    optimizer.step(exec);
    if (onDevice) {
      exec.accumulateMetrics!(program.loss, program.correct);
      exec.submit?.();
    } else {
      await exec.flush();
      const [loss, correct] = await Promise.all([exec.read(program.loss), exec.read(program.correct)]);
      host.loss += loss[0]!;
      host.correct += correct[0]!;
      host.steps++;
    }
    steps++;
    pending++;
    if (pending === readEvery && !(await read())) return reads;
  }
  if (pending > 0) await read();
  return reads;
}
