// The training charts' data: per-step values averaged into at most a few hundred points, per-epoch values as
// dots, all on an x axis in epochs (step 70 of 140 in epoch 2 is x = 1.5).

import type { EpochMetrics, StepMetrics } from '../../../engine/train/metrics.ts';

export type Point = readonly [number, number];

export interface ChartData {
  trainLossSteps: Point[];
  trainAccuracySteps: Point[];
  lrSteps: Point[];
  trainLoss: Point[];
  validationLoss: Point[];
  trainAccuracy: Point[];
  validationAccuracy: Point[];
}

const MAX_POINTS = 240;

const at = (s: StepMetrics) => s.epoch - 1 + s.epochStep / Math.max(1, s.stepsPerEpoch);

/** Averages consecutive steps into buckets so the line shows the trend, not every batch's noise. */
export function bucketed(
  steps: readonly StepMetrics[],
  value: (s: StepMetrics) => number,
  max = MAX_POINTS,
): Point[] {
  if (steps.length === 0) return [];
  // At least a few steps per point, so single noisy batches do not dominate early on.
  const size = Math.max(Math.min(5, Math.ceil(steps.length / 8)), Math.ceil(steps.length / max));
  const out: Point[] = [];
  for (let i = 0; i < steps.length; i += size) {
    const part = steps.slice(i, i + size).filter((s) => Number.isFinite(value(s)));
    if (part.length === 0) continue;
    const mean = part.reduce((sum, s) => sum + value(s), 0) / part.length;
    out.push([at(part[part.length - 1]!), mean]);
  }
  return out;
}

export function chartData(steps: readonly StepMetrics[], epochs: readonly EpochMetrics[]): ChartData {
  const epochPoints = (value: (e: EpochMetrics) => number | null): Point[] =>
    epochs.flatMap((e) => {
      const v = value(e);
      return v === null || !Number.isFinite(v) ? [] : [[e.epoch, v] as const];
    });
  return {
    trainLossSteps: bucketed(steps, (s) => s.loss),
    trainAccuracySteps: bucketed(steps, (s) => s.accuracy),
    lrSteps: bucketed(steps, (s) => s.lr),
    trainLoss: epochPoints((e) => e.trainLoss),
    validationLoss: epochPoints((e) => e.validationLoss),
    trainAccuracy: epochPoints((e) => e.trainAccuracy),
    validationAccuracy: epochPoints((e) => e.validationAccuracy),
  };
}

export interface Progress {
  epoch: number;
  epochs: number;
  epochStep: number;
  stepsPerEpoch: number;
  step: number;
  totalSteps: number;
  imagesPerSecond: number;
  /** Seconds of training left at the recent pace (validation not counted); NaN before the pace is known. */
  eta: number;
}

/** Where a run stands, from its last steps. Images/s is averaged over the last 20 steps. */
export function progressOf(
  steps: readonly StepMetrics[],
  epochs: number,
  batchSize: number,
): Progress | null {
  const last = steps.at(-1);
  if (!last) return null;
  const recent = steps.slice(-20);
  const rates = recent.map((s) => s.imagesPerSecond).filter((r) => r > 0);
  const rate = rates.length ? rates.reduce((a, b) => a + b, 0) / rates.length : 0;
  return {
    epoch: last.epoch,
    epochs,
    epochStep: last.epochStep,
    stepsPerEpoch: last.stepsPerEpoch,
    step: last.step,
    totalSteps: last.totalSteps,
    imagesPerSecond: rate,
    eta: rate > 0 ? ((last.totalSteps - last.step) * batchSize) / rate : Number.NaN,
  };
}
