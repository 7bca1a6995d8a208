// The training settings that format version 2 added to the project file: augmentation, normalisation, warm-up,
// gradient clipping and the stop rules (early stopping, target accuracy). Each is optional: absent or null is off,
// as in the engine's defaults, so older files open unchanged. Read strictly, written in a fixed order.

import type { AugmentOptions } from '../../data/augment.ts';
import { field, finite, integer, type Json, list, object, optional, ProjectError, text } from './json.ts';
import type { EarlyStoppingSettings, Normalization, TrainingSettings, WarmupSettings } from './project.ts';

/** The version-2 fields of `training`, in the order they are written. */
export const RUN_FIELDS = [
  'augment',
  'normalize',
  'warmup',
  'clip_grad_norm',
  'early_stopping',
  'target_accuracy',
] as const;

type RunFields = Pick<TrainingSettings, (typeof RUN_FIELDS)[number]>;

const between = (low: number, high: number, what: string) => (v: Json, p: string) => {
  const n = finite(v, p);
  if (n < low || n > high) throw new ProjectError(`must be ${what}, not ${n}`, p);
  return n;
};
const probability = between(0, 1, 'a probability between 0 and 1');
const atLeastZero = between(0, Number.POSITIVE_INFINITY, 'at least 0');
const positive = (v: Json, p: string) => {
  const n = finite(v, p);
  if (n <= 0) throw new ProjectError(`must be above 0, not ${n}`, p);
  return n;
};

/** A list of numbers, each checked; `length` when it must have exactly that many. */
const numbers =
  (each: (v: Json, p: string) => number, length?: number) =>
  (v: Json, p: string): number[] => {
    const items = list(v, p);
    if (length !== undefined && items.length !== length)
      throw new ProjectError(`must be a list of ${length} numbers, not ${items.length}`, p);
    if (items.length === 0) throw new ProjectError('must not be empty', p);
    return items.map((x, i) => each(x, `${p}[${i}]`));
  };

/** [low, high] with low <= high. */
const range =
  (each: (v: Json, p: string) => number) =>
  (v: Json, p: string): [number, number] => {
    const [low, high] = numbers(each, 2)(v, p) as [number, number];
    if (low > high) throw new ProjectError(`must go from low to high, not ${low} to ${high}`, p);
    return [low, high];
  };

/** Throws when `o` has a key outside `known` (a misspelt option would silently do nothing). */
function only(o: Record<string, Json>, known: readonly string[], p: string): void {
  for (const key of Object.keys(o))
    if (!known.includes(key))
      throw new ProjectError(
        `is not a setting NeuroCanvas knows (it knows ${known.join(', ')})`,
        `${p}.${key}`,
      );
}

const AUGMENT_KEYS = [
  'horizontalFlip',
  'verticalFlip',
  'rotation',
  'scale',
  'translate',
  'crop',
  'erase',
  'noise',
  'normalize',
] as const satisfies readonly (keyof AugmentOptions)[];

function meanStd(v: Json, p: string): { mean: number[]; std: number[] } {
  const o = object(v, p);
  only(o, ['mean', 'std'], p);
  const mean = field(o, 'mean', p, numbers(finite));
  const std = field(o, 'std', p, numbers(positive));
  if (mean.length !== std.length)
    throw new ProjectError(`needs one std per mean (${mean.length} means, ${std.length} stds)`, p);
  return { mean, std };
}

/** Augmentation options; an empty object is no augmentation (null). */
export function augmentOf(v: Json, p: string): AugmentOptions | null {
  if (v === null) return null;
  const o = object(v, p);
  only(o, AUGMENT_KEYS, p);
  const a: AugmentOptions = {};
  const horizontalFlip = optional(o, 'horizontalFlip', p, probability);
  if (horizontalFlip !== undefined) a.horizontalFlip = horizontalFlip;
  const verticalFlip = optional(o, 'verticalFlip', p, probability);
  if (verticalFlip !== undefined) a.verticalFlip = verticalFlip;
  const rotation = optional(o, 'rotation', p, (x, q) => {
    const r = object(x, q);
    if ('degrees' in r) {
      only(r, ['degrees'], q);
      return { degrees: field(r, 'degrees', q, atLeastZero) };
    }
    only(r, ['angles'], q);
    if (!('angles' in r)) throw new ProjectError('needs degrees (a range) or angles (a list)', q);
    return { angles: field(r, 'angles', q, numbers(finite)) };
  });
  if (rotation !== undefined) a.rotation = rotation;
  const scale = optional(o, 'scale', p, range(positive));
  if (scale !== undefined) a.scale = scale;
  const translate = optional(o, 'translate', p, integer(0));
  if (translate !== undefined) a.translate = translate;
  const crop = optional(o, 'crop', p, (x, q) => {
    const c = object(x, q);
    only(c, ['padding'], q);
    return { padding: field(c, 'padding', q, integer(0)) };
  });
  if (crop !== undefined) a.crop = crop;
  const erase = optional(o, 'erase', p, (x, q) => {
    const e = object(x, q);
    only(e, ['probability', 'area', 'ratio'], q);
    const area = optional(
      e,
      'area',
      q,
      range(between(0, 1, 'a fraction of the image above 0 and at most 1')),
    );
    if (area && area[0] === 0) throw new ProjectError('must be above 0', `${q}.area[0]`);
    const ratio = optional(e, 'ratio', q, range(positive));
    return {
      probability: field(e, 'probability', q, probability),
      ...(area ? { area } : {}),
      ...(ratio ? { ratio } : {}),
    };
  });
  if (erase !== undefined) a.erase = erase;
  const noise = optional(o, 'noise', p, atLeastZero);
  if (noise !== undefined) a.noise = noise;
  const normalize = optional(o, 'normalize', p, meanStd);
  if (normalize !== undefined) a.normalize = normalize;
  return Object.keys(a).length ? a : null;
}

/** The options in a fixed key order (so the same settings save as the same bytes). */
export function augmentJson(a: AugmentOptions): AugmentOptions {
  const out: AugmentOptions = {};
  for (const key of AUGMENT_KEYS) if (a[key] !== undefined) (out as Record<string, unknown>)[key] = a[key];
  if (a.rotation)
    out.rotation = 'degrees' in a.rotation ? { degrees: a.rotation.degrees } : { angles: a.rotation.angles };
  if (a.erase)
    out.erase = {
      probability: a.erase.probability,
      ...(a.erase.area ? { area: a.erase.area } : {}),
      ...(a.erase.ratio ? { ratio: a.erase.ratio } : {}),
    };
  if (a.normalize) out.normalize = { mean: a.normalize.mean, std: a.normalize.std };
  return out;
}

function normalizationOf(v: Json, p: string): Normalization {
  if (v === null) return null;
  if (typeof v === 'string') {
    if (v !== 'dataset')
      throw new ProjectError(`must be "dataset", null or {mean, std}, not "${text(v, p)}"`, p);
    return 'dataset';
  }
  return meanStd(v, p);
}

function warmupOf(v: Json, p: string): WarmupSettings | null {
  if (v === null) return null;
  const o = object(v, p);
  only(o, ['steps', 'start_factor'], p);
  const startFactor = field(o, 'start_factor', p, positive);
  if (startFactor > 1) throw new ProjectError(`must be at most 1, not ${startFactor}`, `${p}.start_factor`);
  return { steps: field(o, 'steps', p, integer(1)), start_factor: startFactor };
}

function earlyStoppingOf(v: Json, p: string): EarlyStoppingSettings | null {
  if (v === null) return null;
  const o = object(v, p);
  only(o, ['patience', 'min_delta'], p);
  return { patience: field(o, 'patience', p, integer(1)), min_delta: field(o, 'min_delta', p, atLeastZero) };
}

const orNull =
  <T>(check: (v: Json, p: string) => T) =>
  (v: Json, p: string): T | null =>
    v === null ? null : check(v, p);

/** The version-2 fields of `training` (only those present; null and absent both mean off). */
export function runFieldsOf(t: Record<string, Json>, p: string): RunFields {
  const out: RunFields = {};
  const augment = optional(t, 'augment', p, augmentOf);
  if (augment) out.augment = augment;
  const normalize = optional(t, 'normalize', p, normalizationOf);
  if (normalize) out.normalize = normalize;
  const warmup = optional(t, 'warmup', p, warmupOf);
  if (warmup) out.warmup = warmup;
  const clip = optional(t, 'clip_grad_norm', p, orNull(positive));
  if (clip != null) out.clip_grad_norm = clip;
  const early = optional(t, 'early_stopping', p, earlyStoppingOf);
  if (early) out.early_stopping = early;
  const target = optional(t, 'target_accuracy', p, orNull(between(0, 1, 'a fraction between 0 and 1')));
  if (target != null) out.target_accuracy = target;
  return out;
}

/** The version-2 fields that are on, in the order they are written. */
export function runFieldsJson(t: TrainingSettings): RunFields {
  const out: RunFields = {};
  if (t.augment && Object.keys(t.augment).length) out.augment = augmentJson(t.augment);
  if (t.normalize)
    out.normalize = t.normalize === 'dataset' ? 'dataset' : { mean: t.normalize.mean, std: t.normalize.std };
  if (t.warmup) out.warmup = { steps: t.warmup.steps, start_factor: t.warmup.start_factor };
  if (t.clip_grad_norm != null) out.clip_grad_norm = t.clip_grad_norm;
  if (t.early_stopping)
    out.early_stopping = { patience: t.early_stopping.patience, min_delta: t.early_stopping.min_delta };
  if (t.target_accuracy != null) out.target_accuracy = t.target_accuracy;
  return out;
}
