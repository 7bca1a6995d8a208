// How the loop runs its steps. On the host path each step is guarded as it happens (one readback per step).
// On the device path (WebGPU) steps are recorded and submitted without waiting; clipping runs on the device,
// each step's loss, correct count and norm go into a device history read every `readEvery` steps, and a
// device copy of the state at the last read lets a NaN found later be rolled back to its exact step.

import type { DeviceDataSet, DevicePreprocess, DeviceSteps, Executor } from '../compile/backend.ts';
import { randomKeyData } from '../compile/op-numerics.ts';
import type { Program } from '../compile/program.ts';
import { gatherLabels } from '../data/dataset.ts';
import type { DataSet } from '../data/types.ts';
import { makeBatch, type Preprocess } from './batches.ts';
import type { Optimizer } from './optimizers.ts';
import { type BatchWrite, guardedTrainStep } from './step.ts';
import { runBackward, runForward } from './train-step.ts';

/** One step the loop asks for. */
export interface PlannedStep {
  /** From 1. */
  epoch: number;
  /** Within the epoch, from 1. */
  epochStep: number;
  /** Optimizer steps of the run before this one (0 for the first): the dropout key's step. */
  step: number;
  /** Data-set indices of the batch. */
  indices: Uint32Array;
  /** The batch's augmentation key. */
  key: number;
  lr: number;
}

/** A step's result, as known once it has been read back. */
export interface StepOutcome extends PlannedStep {
  loss: number;
  correct: number;
  gradNorm: number | null;
  /** false: the loss was NaN or infinite; the state is the one from before this step. */
  finite: boolean;
  /** Milliseconds the step took (on the device path, its share of the time between reads). */
  ms: number;
}

export interface Stepper {
  /** Steps recorded but not read back yet. */
  readonly pending: number;
  /**
   * Runs or records a step; returns the outcomes now known, in order. A non-finite outcome is always the last
   * of a call, and by then the state is the one from before that step.
   */
  step(planned: PlannedStep): Promise<StepOutcome[]>;
  /** Reads back every pending step. */
  drain(): Promise<StepOutcome[]>;
  dispose(): void;
}

/** Where a step's images come from: the host (prepared by batches.ts) or the device data set. */
export interface BatchSource {
  /** A write of the batch's images and labels into the program's input tensors. */
  batch(planned: PlannedStep): BatchWrite;
}

export interface StepperContext {
  exec: Executor<Program>;
  optimizer: Optimizer;
  clipNorm: number | null;
  /** Seed of the dropout key (seed, step). */
  dropoutSeed: number;
  batches: BatchSource;
  now: () => number;
}

/** Batches prepared on the host: gathered, augmented and normalised by engine/train/batches.ts. */
export function hostBatches(dataset: DataSet, pre: Preprocess): BatchSource {
  return {
    batch: (p) => {
      const { images, labels } = makeBatch(dataset, p.indices, pre, p.key);
      return {
        write: (exec) => {
          exec.write(exec.program.batch, images);
          exec.write(exec.program.labels, labels);
        },
      };
    },
  };
}

/** Batches prepared on the device from the uploaded data set; only the labels (4 bytes a sample) are written. */
export function deviceBatches(dataset: DataSet, data: DeviceDataSet, pre: DevicePreprocess): BatchSource {
  return {
    batch: (p) => ({
      write: (exec) => {
        data.writeBatch(exec, exec.program.batch, p.indices, p.key, pre);
        exec.write(exec.program.labels, gatherLabels(dataset, p.indices));
      },
    }),
  };
}

/** One guarded step at a time (guardedTrainStep): every step reads its loss back before the update. */
export function hostStepper(ctx: StepperContext): Stepper {
  return {
    pending: 0,
    async step(p) {
      const t0 = ctx.now();
      ctx.optimizer.lr = p.lr;
      const result = await guardedTrainStep(
        ctx.exec,
        ctx.optimizer,
        ctx.batches.batch(p),
        ctx.clipNorm,
        randomKeyData(ctx.dropoutSeed, p.step),
      );
      return [{ ...p, ...result, ms: ctx.now() - t0 }];
    },
    drain: async () => [],
    dispose() {},
  };
}

/** When the device path reads back. */
export interface ReadPolicy {
  /** At most this many steps between reads (the device history's size). */
  readEvery: number;
  /**
   * Aim to read at least this often, in milliseconds: after each read the next window is shortened to the
   * steps that fit, so a slow device (SwiftShader) still shows progress every fraction of a second while a fast
   * one reads every `readEvery` steps. Infinity keeps every window at `readEvery`. Results never depend on it.
   */
  intervalMs: number;
}

/** Steps kept on the device, read back in windows of steps (see the file's first lines). */
export async function deviceStepper(ctx: StepperContext, policy: ReadPolicy): Promise<Stepper> {
  const { readEvery, intervalMs } = policy;
  const { exec, optimizer } = ctx;
  const program = exec.program;
  const device: DeviceSteps = await exec.deviceSteps!({
    loss: program.loss,
    correct: program.correct,
    clipNorm: ctx.clipNorm,
    capacity: readEvery,
  });
  // The steps since the last good state was saved, and the optimizer's step count then.
  let window: PlannedStep[] = [];
  let savedSteps = optimizer.steps;
  let started = 0;
  let limit = readEvery;
  device.save();

  const record = (p: PlannedStep) => {
    if (program.randomKey !== null) exec.write(program.randomKey, randomKeyData(ctx.dropoutSeed, p.step));
    ctx.batches.batch(p).write(exec);
    runForward(exec, true);
    runBackward(exec, true);
    if (ctx.clipNorm !== null) device.clip();
    optimizer.lr = p.lr;
    optimizer.step(exec);
    device.record();
    exec.submit?.();
  };

  const read = async (): Promise<StepOutcome[]> => {
    if (window.length === 0) return [];
    const records = await device.take();
    if (records.length !== window.length)
      throw new Error(`the device recorded ${records.length} steps, the loop ${window.length}`);
    const ms = (ctx.now() - started) / records.length;
    const bad = records.findIndex((r) => !Number.isFinite(r.loss));
    const steps = window;
    const outcomes = steps.map((p, i) => ({ ...p, ...records[i]!, finite: true, ms }));
    window = [];
    if (ms > 0) limit = Math.max(1, Math.min(readEvery, Math.floor(intervalMs / ms)));
    if (bad < 0) {
      device.save();
      savedSteps = optimizer.steps;
      return outcomes;
    }
    // Back to the state at the last read, then the good steps again (the device repeats them bit for bit), so
    // the state is the one from just before the bad step, as on the host path.
    device.restore();
    // NOTE: Optimizer.steps is read-only to callers; rolling back is, with resuming, the one place that sets it.
    (optimizer as { steps: number }).steps = savedSteps;
    for (const p of steps.slice(0, bad)) record(p);
    await device.take();
    device.save();
    savedSteps = optimizer.steps;
    optimizer.lr = steps[bad]!.lr; // as the host path leaves it: set for the step that went wrong
    return [...outcomes.slice(0, bad), { ...outcomes[bad]!, finite: false }];
  };

  return {
    get pending() {
      return window.length;
    },
    async step(p) {
      if (window.length === 0) started = ctx.now();
      record(p);
      window.push(p);
      return window.length >= limit ? read() : [];
    },
    drain: read,
    dispose: () => device.dispose(),
  };
}
