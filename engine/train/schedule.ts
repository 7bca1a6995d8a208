// Learning-rate schedules as closed forms of (step, epoch): StepLR, CosineAnnealingLR, OneCycleLR and a LinearLR
// warm-up multiplied into any of them, matching torch 1.13's schedulers (test/oracle/train_schedules.py).

import type { LrSchedule, Warmup } from './settings.ts';

export interface ScheduleAt {
  /** Optimizer steps taken before this one (0 for the first step of the run). */
  step: number;
  /** The epoch this step belongs to, from 0. */
  epoch: number;
  /** Optimizer steps in the whole run (epochs x steps per epoch). */
  totalSteps: number;
}

export interface ScheduleSettings {
  lr: number;
  schedule: LrSchedule;
  warmup: Warmup | null;
}

/**
 * The learning rate for one optimizer step. Torch's equivalent, stepped the same way: StepLR.step() once per
 * epoch; CosineAnnealingLR(T_max = totalSteps) and OneCycleLR(total_steps = totalSteps) .step() after every
 * optimizer step; a warm-up is LinearLR(start_factor, total_iters = warmup steps) stepped after every optimizer
 * step and chained (ChainedScheduler: the factors multiply).
 */
export function learningRate(settings: ScheduleSettings, at: ScheduleAt): number {
  return scheduledRate(settings.lr, settings.schedule, at) * warmupFactor(settings.warmup, at.step);
}

function scheduledRate(lr: number, schedule: LrSchedule, at: ScheduleAt): number {
  switch (schedule.kind) {
    case 'constant':
      return lr;
    case 'step':
      return lr * schedule.gamma ** Math.floor(at.epoch / schedule.step_size);
    case 'cosine':
      return (
        schedule.eta_min + ((lr - schedule.eta_min) * (1 + Math.cos((Math.PI * at.step) / at.totalSteps))) / 2
      );
    case 'onecycle':
      return oneCycle(lr, schedule, at.step, at.totalSteps);
  }
}

/** LinearLR's factor: start_factor rising linearly to 1 over `steps` steps, then 1. */
export function warmupFactor(warmup: Warmup | null, step: number): number {
  if (!warmup) return 1;
  return warmup.start_factor + ((1 - warmup.start_factor) * Math.min(step, warmup.steps)) / warmup.steps;
}

/**
 * OneCycleLR (two phases, cos annealing): initial_lr = max_lr / div_factor rises to max_lr by step
 * pct_start x total - 1, then falls to initial_lr / final_div_factor at step total - 1.
 */
function oneCycle(
  maxLr: number,
  s: Extract<LrSchedule, { kind: 'onecycle' }>,
  step: number,
  total: number,
): number {
  const initial = maxLr / s.div_factor;
  const min = initial / s.final_div_factor;
  const phases = [
    { end: s.pct_start * total - 1, start: initial, to: maxLr },
    { end: total - 1, start: maxLr, to: min },
  ];
  let startStep = 0;
  for (const [i, phase] of phases.entries()) {
    if (step <= phase.end || i === phases.length - 1) {
      const pct = (step - startStep) / (phase.end - startStep);
      return phase.to + ((phase.start - phase.to) / 2) * (Math.cos(Math.PI * pct) + 1);
    }
    startStep = phase.end;
  }
  return min;
}

/** The learning rate of every step of a run, in order (for charts and tests). */
export function learningRates(settings: ScheduleSettings, epochs: number, stepsPerEpoch: number): number[] {
  const totalSteps = epochs * stepsPerEpoch;
  return Array.from({ length: totalSteps }, (_, step) =>
    learningRate(settings, { step, epoch: Math.floor(step / stepsPerEpoch), totalSteps }),
  );
}
