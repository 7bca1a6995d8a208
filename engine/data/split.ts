// Train/holdout split with a fixed seed: the same seed and data set always give the same two index lists.

import { Random } from './random.ts';
import type { DataSet } from './types.ts';

export interface SplitOptions {
  /** Fraction of the samples held out for evaluation, 0-1 (0.1 = 10%). */
  holdout: number;
  seed: number;
  /** Hold out the same fraction of every class (default true), so a small class is not left out by chance. */
  stratify?: boolean;
}

export interface Split {
  /** Sample indices, ascending. */
  train: Uint32Array;
  holdout: Uint32Array;
}

/**
 * Splits sample indices. The draws come from the stream `holdout` of the engine's generator `Random(seed)` (the
 * run's seed, so a training run and a later evaluation agree). Draw order: with `stratify`, one Fisher-Yates
 * shuffle per class in class order; without, one shuffle of all indices. The first round(fraction x count)
 * shuffled indices are held out.
 */
export function splitDataSet(dataset: DataSet, options: SplitOptions): Split {
  const fraction = Math.min(1, Math.max(0, options.holdout));
  const random = new Random(options.seed).split('holdout');
  const n = dataset.labels.length;
  const groups: number[][] = [];
  if (options.stratify ?? true) {
    for (let i = 0; i < n; i++) {
      const label = dataset.labels[i]!;
      groups[label] ??= [];
      groups[label].push(i);
    }
  } else groups.push(Array.from({ length: n }, (_, i) => i));
  const held = new Uint8Array(n);
  for (const group of groups) {
    if (!group) continue;
    random.shuffle(group);
    const take = Math.round(fraction * group.length);
    for (let i = 0; i < take; i++) held[group[i]!] = 1;
  }
  const train: number[] = [];
  const holdout: number[] = [];
  for (let i = 0; i < n; i++) (held[i] ? holdout : train).push(i);
  return { train: Uint32Array.from(train), holdout: Uint32Array.from(holdout) };
}
