// Batches from a data set: the epoch's order, gathering, and preprocessing (scale to 0-1, augmentation for
// training, per-channel normalisation) on the CPU, through engine/data/augment.ts.

import { type AugmentOptions, augmentBatchWithKey } from '../data/augment.ts';
import { channelStats, gatherImages, gatherLabels, sampleSize } from '../data/dataset.ts';
import type { DataSet, ImageShape } from '../data/types.ts';
import type { Batch } from './train-step.ts';

export interface Preprocess {
  shape: ImageShape;
  /** Training only; null or no option set = none. */
  augment: AugmentOptions | null;
  normalize: { mean: number[]; std: number[] } | null;
}

/** True when the options move, cut or disturb nothing (so scaling and normalising are all that is left). */
function changesNothing(options: AugmentOptions | null): boolean {
  if (!options) return true;
  const { horizontalFlip, verticalFlip, rotation, scale, translate, crop, erase, noise } = options;
  const turns =
    rotation !== undefined &&
    ('degrees' in rotation ? rotation.degrees !== 0 : rotation.angles.some((a) => a % 360 !== 0));
  return (
    !horizontalFlip &&
    !verticalFlip &&
    !turns &&
    (scale === undefined || (scale[0] === 1 && scale[1] === 1)) &&
    !translate &&
    !crop?.padding &&
    !erase?.probability &&
    !noise
  );
}

/**
 * N x C x H x W bytes to model input. `key` is the batch's draw from the augmentation stream (ignored
 * without augmentation). NOTE: the plain path computes exactly what augment.ts does with nothing to augment
 * (x / 255 in float64, then (x - mean) / std, then rounded to float32), so both paths agree bit for bit.
 */
export function prepareImages(bytes: Uint8Array, pre: Preprocess, key: number): Float32Array {
  const normalize = pre.normalize ?? undefined;
  if (!changesNothing(pre.augment))
    return augmentBatchWithKey(bytes, pre.shape, { ...pre.augment, normalize }, key);
  const out = new Float32Array(bytes.length);
  const plane = pre.shape[1] * pre.shape[2];
  const channels = pre.shape[0];
  for (let i = 0; i < bytes.length; i++) {
    let v = bytes[i]! * (1 / 255);
    if (normalize) {
      const c = Math.floor(i / plane) % channels;
      v = (v - (normalize.mean[c] ?? 0)) / (normalize.std[c] ?? 1);
    }
    out[i] = v;
  }
  return out;
}

/** Dataset indices of one training batch: positions [b x size, (b + 1) x size) of the epoch's order. */
export function batchIndices(
  train: Uint32Array,
  order: Int32Array,
  batch: number,
  size: number,
): Uint32Array {
  const indices = new Uint32Array(size);
  for (let i = 0; i < size; i++) indices[i] = train[order[batch * size + i]!]!;
  return indices;
}

/** One batch of the given samples, preprocessed. */
export function makeBatch(dataset: DataSet, indices: ArrayLike<number>, pre: Preprocess, key: number): Batch {
  return {
    images: prepareImages(gatherImages(dataset, indices), pre, key),
    labels: gatherLabels(dataset, indices),
  };
}

/**
 * The samples of an evaluation, in batches: full batches of `size`, then one of the remainder (so nothing is
 * left out). Evaluation batches are never augmented.
 */
export function* evaluationParts(indices: Uint32Array, size: number): Generator<Uint32Array> {
  for (let at = 0; at < indices.length; at += size)
    yield indices.subarray(at, Math.min(indices.length, at + size));
}

/** Per-channel mean and std (0-1 units) of the samples at `indices`: what 'dataset' normalisation uses. */
export function statsOf(dataset: DataSet, indices: Uint32Array): { mean: number[]; std: number[] } {
  const size = sampleSize(dataset.shape);
  return channelStats({
    ...dataset,
    images: gatherImages(dataset, indices, new Uint8Array(indices.length * size)),
    labels: gatherLabels(dataset, indices),
  });
}
