// What a training run measures: per-step and per-epoch records, the confusion matrix, and the files they are
// written to (metrics.json, metrics.csv, confusion.csv) as text.

/** One optimizer step. */
export interface StepMetrics {
  /** Epoch of this step, from 1. */
  epoch: number;
  /** Step within the epoch, from 1. */
  epochStep: number;
  stepsPerEpoch: number;
  /** Optimizer steps taken in the run so far, this one included. */
  step: number;
  totalSteps: number;
  /** Mean cross-entropy of the batch, before the update. */
  loss: number;
  /** Fraction of the batch classified right, before the update. */
  accuracy: number;
  /** Learning rate this step used. */
  lr: number;
  imagesPerSecond: number;
  /** Total gradient norm before clipping, when clipping is on. */
  gradNorm: number | null;
}

/** One epoch: training averages over its steps, then validation on the holdout in eval mode. */
export interface EpochMetrics {
  /** From 1. */
  epoch: number;
  /** Optimizer steps taken in the run by the end of this epoch. */
  step: number;
  /** Learning rate of the epoch's last step. */
  lr: number;
  trainLoss: number;
  trainAccuracy: number;
  /** null when there is no holdout (validation_split 0). */
  validationLoss: number | null;
  validationAccuracy: number | null;
  validationSamples: number;
  /** confusion[true class][predicted class] over the holdout; null without a holdout. */
  confusion: number[][] | null;
  /** Wall time of the epoch (training and validation). */
  seconds: number;
  /** Training images per second over the epoch. */
  imagesPerSecond: number;
}

/** A square matrix of zeros, `classes` x `classes`. */
export function emptyConfusion(classes: number): number[][] {
  return Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
}

/**
 * Adds one batch to a confusion matrix: the prediction is the first highest logit (torch.argmax), per sample.
 * `logits` is count x classes, row-major. Returns the number of correct predictions.
 */
export function addToConfusion(
  confusion: number[][],
  logits: Float32Array,
  labels: ArrayLike<number>,
  count: number,
): number {
  const classes = logits.length / Math.max(1, count);
  let correct = 0;
  for (let n = 0; n < count; n++) {
    let best = 0;
    for (let k = 1; k < classes; k++) if (logits[n * classes + k]! > logits[n * classes + best]!) best = k;
    const label = labels[n]!;
    confusion[label]![best]!++;
    if (best === label) correct++;
  }
  return correct;
}

const EPOCH_COLUMNS = [
  'epoch',
  'step',
  'lr',
  'train_loss',
  'train_accuracy',
  'validation_loss',
  'validation_accuracy',
  'validation_samples',
  'seconds',
  'images_per_second',
] as const;

/** An epoch as the snake_case record metrics.json and checkpoints hold (confusion included). */
export function epochRecord(m: EpochMetrics): Record<string, number | null | number[][]> {
  return {
    epoch: m.epoch,
    step: m.step,
    lr: m.lr,
    train_loss: m.trainLoss,
    train_accuracy: m.trainAccuracy,
    validation_loss: m.validationLoss,
    validation_accuracy: m.validationAccuracy,
    validation_samples: m.validationSamples,
    confusion: m.confusion,
    seconds: m.seconds,
    images_per_second: m.imagesPerSecond,
  };
}

/** The inverse of `epochRecord` (for a checkpoint's history, read back as plain values). */
export function epochFromRecord(r: Record<string, unknown>): EpochMetrics {
  const num = (k: string) => {
    const v = r[k];
    if (typeof v !== 'number') throw new Error(`epoch record: ${k} is not a number`);
    return v;
  };
  const orNull = (k: string) => (r[k] === null || r[k] === undefined ? null : num(k));
  return {
    epoch: num('epoch'),
    step: num('step'),
    lr: num('lr'),
    trainLoss: num('train_loss'),
    trainAccuracy: num('train_accuracy'),
    validationLoss: orNull('validation_loss'),
    validationAccuracy: orNull('validation_accuracy'),
    validationSamples: num('validation_samples'),
    confusion: Array.isArray(r.confusion) ? (r.confusion as number[][]).map((row) => [...row]) : null,
    seconds: num('seconds'),
    imagesPerSecond: num('images_per_second'),
  };
}

/** A step as the snake_case record metrics.json holds. */
export function stepRecord(m: StepMetrics): Record<string, number | null> {
  return {
    epoch: m.epoch,
    step: m.step,
    loss: m.loss,
    accuracy: m.accuracy,
    lr: m.lr,
    images_per_second: m.imagesPerSecond,
    grad_norm: m.gradNorm,
  };
}

const cell = (v: unknown) => (v === null || v === undefined ? '' : String(v));

/** metrics.csv: one row per epoch. */
export function metricsCsv(epochs: readonly EpochMetrics[]): string {
  const rows = epochs.map((m) => {
    const r = epochRecord(m);
    return EPOCH_COLUMNS.map((c) => cell(r[c])).join(',');
  });
  return `${[EPOCH_COLUMNS.join(','), ...rows].join('\n')}\n`;
}

const quote = (name: string) => (/[",\n]/.test(name) ? `"${name.replaceAll('"', '""')}"` : name);

/** confusion.csv: rows are true classes, columns predicted ones, both named. */
export function confusionCsv(confusion: readonly (readonly number[])[], classes: readonly string[]): string {
  const name = (i: number) => quote(classes[i] ?? String(i));
  const header = ['true \\ predicted', ...confusion.map((_, i) => name(i))].join(',');
  const rows = confusion.map((row, i) => [name(i), ...row].join(','));
  return `${[header, ...rows].join('\n')}\n`;
}

/** The confusion matrix as aligned text for a terminal. */
export function confusionText(confusion: readonly (readonly number[])[], classes: readonly string[]): string {
  const names = confusion.map((_, i) => classes[i] ?? String(i));
  const width =
    Math.max(4, ...names.map((n) => n.length), ...confusion.flat().map((v) => String(v).length)) + 1;
  const lines = [`${'true\\pred'.padEnd(10)}${names.map((n) => n.padStart(width)).join('')}`];
  confusion.forEach((row, i) => {
    lines.push(`${names[i]!.slice(0, 9).padEnd(10)}${row.map((v) => String(v).padStart(width)).join('')}`);
  });
  return lines.join('\n');
}

/** Everything a run measured, as metrics.json text. */
export function metricsJson(run: {
  settings: unknown;
  /** Where the data came from (a path, or null for the built-in digits) and what it was. */
  data?: { path: string | null; description: string };
  /** Which backend ran and why, and where batches and the step guard ran (a line, null before training). */
  backend?: { name: string; reason: string; dataPath: string | null };
  classes: readonly string[];
  epochs: readonly EpochMetrics[];
  steps: readonly StepMetrics[];
  stopped: { reason: string; message: string } | null;
}): string {
  return `${JSON.stringify(
    {
      settings: run.settings,
      data: run.data ?? null,
      backend: run.backend ?? null,
      classes: run.classes,
      stopped: run.stopped,
      epochs: run.epochs.map(epochRecord),
      steps: run.steps.map(stepRecord),
    },
    (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v),
    1,
  )}\n`;
}
