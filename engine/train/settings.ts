// The settings of one training run: the project's training settings plus schedule, stopping, clipping,
// checkpoints, augmentation and normalisation; defaults, checks, and reading them back from plain JSON.

import type { AugmentOptions } from '../data/augment.ts';
import {
  DEFAULT_TRAINING,
  type EarlyStoppingSettings,
  type LrSchedule,
  type Normalization,
  type TrainingSettings,
  type WarmupSettings,
} from '../io/project/project.ts';

// The project file declares these (it stores them); a run uses them under these names.
export type { LrSchedule };
export type Warmup = WarmupSettings;
export type EarlyStopping = EarlyStoppingSettings;
export type Normalize = Normalization;

export interface RunSettings extends TrainingSettings {
  /** Adam/AdamW (beta1, beta2) and eps. */
  betas: [number, number];
  eps: number;
  /** SGD only (with momentum > 0). */
  nesterov: boolean;
  schedule: LrSchedule;

  warmup: Warmup | null;
  /** clip_grad_norm_(parameters, max_norm) before every update; null = off. */
  clip_grad_norm: number | null;
  early_stopping: EarlyStopping | null;
  /** Stop after the first epoch whose validation accuracy (0-1) reaches this. */
  target_accuracy: number | null;
  /** Write a checkpoint every N epochs (the last epoch always gets one). */
  checkpoint_every: number;
  /** Training batches only; validation and evaluation images are never augmented. */
  augment: AugmentOptions | null;
  normalize: Normalize;
}

export const DEFAULT_RUN: RunSettings = {
  ...DEFAULT_TRAINING,
  betas: [0.9, 0.999],
  eps: 1e-8,
  nesterov: false,
  schedule: { kind: 'constant' },
  warmup: null,
  clip_grad_norm: null,
  early_stopping: null,
  target_accuracy: null,
  checkpoint_every: 1,
  augment: null,
  normalize: null,
};

/** A setting that cannot be used; `field` names it as the settings record does (`schedule.gamma`). */
export class SettingsError extends Error {
  override name = 'SettingsError';
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`${field} ${detail}`);
  }
}

/** The project's settings (or the defaults) with `overrides` on top, checked. */
export function runSettings(
  project: TrainingSettings | null,
  overrides: Partial<RunSettings> = {},
): RunSettings {
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  return checkSettings({ ...DEFAULT_RUN, ...(project ?? {}), ...defined });
}

const positive = (field: string, v: number) => {
  if (!(Number.isFinite(v) && v > 0)) throw new SettingsError(field, `must be a number above 0, not ${v}`);
};
const atLeastZero = (field: string, v: number) => {
  if (!(Number.isFinite(v) && v >= 0))
    throw new SettingsError(field, `must be a number of at least 0, not ${v}`);
};
const wholeAbove = (field: string, v: number, min: number) => {
  if (!(Number.isInteger(v) && v >= min))
    throw new SettingsError(field, `must be a whole number >= ${min}, not ${v}`);
};
const fraction = (field: string, v: number, closed = false) => {
  if (!(v >= 0 && (closed ? v <= 1 : v < 1)))
    throw new SettingsError(field, `must be between 0 and ${closed ? '1' : 'below 1'}, not ${v}`);
};

/** Throws a SettingsError naming the first setting that is out of range; returns the settings. */
export function checkSettings(s: RunSettings): RunSettings {
  if (!['sgd', 'adam', 'adamw'].includes(s.optimizer))
    throw new SettingsError('optimizer', `must be sgd, adam or adamw, not "${s.optimizer}"`);
  positive('lr', s.lr);
  fraction('momentum', s.momentum);
  atLeastZero('weight_decay', s.weight_decay);
  wholeAbove('batch_size', s.batch_size, 1);
  wholeAbove('epochs', s.epochs, 1);
  wholeAbove('seed', s.seed, 0);
  fraction('validation_split', s.validation_split);
  for (const [i, b] of s.betas.entries()) fraction(`betas[${i}]`, b);
  atLeastZero('eps', s.eps);
  if (s.nesterov && (s.optimizer !== 'sgd' || s.momentum <= 0))
    throw new SettingsError('nesterov', 'needs the sgd optimizer with a momentum above 0');
  const schedule = s.schedule;
  if (schedule.kind === 'step') {
    wholeAbove('schedule.step_size', schedule.step_size, 1);
    positive('schedule.gamma', schedule.gamma);
  } else if (schedule.kind === 'cosine') atLeastZero('schedule.eta_min', schedule.eta_min);
  else if (schedule.kind === 'onecycle') {
    if (!(schedule.pct_start > 0 && schedule.pct_start < 1))
      throw new SettingsError('schedule.pct_start', `must be between 0 and 1, not ${schedule.pct_start}`);
    positive('schedule.div_factor', schedule.div_factor);
    positive('schedule.final_div_factor', schedule.final_div_factor);
  } else if (schedule.kind !== 'constant')
    throw new SettingsError(
      'schedule',
      `must be constant, step, cosine or onecycle, not "${(schedule as { kind: string }).kind}"`,
    );
  if (s.warmup) {
    wholeAbove('warmup.steps', s.warmup.steps, 1);
    if (!(s.warmup.start_factor > 0 && s.warmup.start_factor <= 1))
      throw new SettingsError(
        'warmup.start_factor',
        `must be above 0 and at most 1, not ${s.warmup.start_factor}`,
      );
  }
  if (s.clip_grad_norm !== null) positive('clip_grad_norm', s.clip_grad_norm);
  if (s.early_stopping) {
    wholeAbove('early_stopping.patience', s.early_stopping.patience, 1);
    atLeastZero('early_stopping.min_delta', s.early_stopping.min_delta);
  }
  if (s.target_accuracy !== null) fraction('target_accuracy', s.target_accuracy, true);
  wholeAbove('checkpoint_every', s.checkpoint_every, 1);
  const n = s.normalize;
  if (n !== null && n !== 'dataset') {
    if (n.mean.length === 0 || n.mean.length !== n.std.length)
      throw new SettingsError('normalize', 'needs one mean and one std per channel');
    for (const [i, v] of n.std.entries()) positive(`normalize.std[${i}]`, v);
  }
  return s;
}

/**
 * Settings from a plain JSON-like value (a checkpoint's `settings`, with dicts as objects): every known field
 * taken from it, missing ones from the defaults, then checked.
 */
export function settingsFromJson(value: unknown): RunSettings {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new SettingsError('settings', 'must be a dict of training settings');
  const known = Object.keys(DEFAULT_RUN);
  const picked = Object.fromEntries(Object.entries(value).filter(([k]) => known.includes(k)));
  return checkSettings({ ...DEFAULT_RUN, ...picked } as RunSettings);
}
