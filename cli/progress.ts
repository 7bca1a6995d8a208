// The training progress line: epoch, step, loss, accuracy, images/s and ETA, redrawn in place on a terminal
// (at most ten times a second); without a terminal only one line per epoch is printed.

import type { EpochMetrics, StepMetrics } from '../engine/train/metrics.ts';

/** Where in-place redraws go: process.stdout when it is a TTY, else null. */
export interface Terminal {
  write(text: string): unknown;
  columns?: number;
}

const percent = (v: number) => `${(100 * v).toFixed(1)}%`;

/** 75 -> `1m15s`, 3725 -> `1h02m`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export class ProgressLine {
  private drawn = false;
  private lastDraw = 0;
  private readonly started: number;
  private firstStep: number | null = null;
  private lossAverage = Number.NaN;
  private accuracyAverage = Number.NaN;

  constructor(
    private readonly epochs: number,
    private readonly out: (line: string) => void,
    private readonly terminal: Terminal | null,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.started = now();
  }

  /** Running averages over the epoch so far, and the ETA from the pace since the first step seen. */
  step(m: StepMetrics): void {
    const k = m.epochStep;
    this.lossAverage =
      k === 1 || Number.isNaN(this.lossAverage) ? m.loss : this.lossAverage + (m.loss - this.lossAverage) / k;
    this.accuracyAverage =
      k === 1 || Number.isNaN(this.accuracyAverage)
        ? m.accuracy
        : this.accuracyAverage + (m.accuracy - this.accuracyAverage) / k;
    if (!this.terminal) return;
    const t = this.now();
    this.firstStep ??= m.step - 1;
    if (t - this.lastDraw < 100 && m.epochStep !== m.stepsPerEpoch) return;
    this.lastDraw = t;
    const done = m.step - this.firstStep;
    const eta = ((t - this.started) / 1000 / done) * (m.totalSteps - m.step);
    const text =
      `epoch ${m.epoch}/${this.epochs}  step ${m.epochStep}/${m.stepsPerEpoch}  loss ${this.lossAverage.toFixed(4)}  ` +
      `acc ${percent(this.accuracyAverage)}  ${Math.round(m.imagesPerSecond)} img/s  lr ${m.lr.toPrecision(3)}  ETA ${formatDuration(eta)}`;
    this.terminal.write(`\r\x1b[2K${text.slice(0, (this.terminal.columns ?? 200) - 1)}`);
    this.drawn = true;
  }

  epoch(m: EpochMetrics): void {
    this.clear();
    const validation =
      m.validationAccuracy === null
        ? 'no holdout'
        : `validation loss ${m.validationLoss!.toFixed(4)} acc ${percent(m.validationAccuracy)} (${m.validationSamples} images)`;
    this.out(
      `epoch ${m.epoch}/${this.epochs}: train loss ${m.trainLoss.toFixed(4)} acc ${percent(m.trainAccuracy)}, ${validation}, ` +
        `${Math.round(m.imagesPerSecond)} images/s, ${m.seconds.toFixed(1)} s`,
    );
  }

  /** Removes the in-place line so ordinary output can follow. */
  clear(): void {
    if (this.drawn) this.terminal?.write('\r\x1b[2K');
    this.drawn = false;
  }
}
