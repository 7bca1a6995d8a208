// Turns numbers from CSV and NumPy files into image bytes and labels: value range, flat-row shapes, label checks.

import { DataError } from './errors.ts';
import type { ImageShape } from './types.ts';

/**
 * The [C,H,W] of a flat row of `length` pixels: the given shape when its size fits, else 784 -> 1x28x28,
 * 3072 -> 3x32x32, any square s*s -> 1xsxs, 3*s*s -> 3xsxs.
 * NOTE: a flat colour row is taken channel by channel (all red, then green, then blue), as CIFAR stores it.
 */
export function flatShape(length: number, file: string, given?: ImageShape): ImageShape {
  if (given) {
    if (given[0] * given[1] * given[2] === length) return [...given];
    throw new DataError(
      'badShape',
      file,
      `each image has ${length} values, but the requested shape ${given.join('x')} needs ${given[0] * given[1] * given[2]}.`,
    );
  }
  const side = Math.round(Math.sqrt(length));
  if (side * side === length) return [1, side, side];
  const colour = Math.round(Math.sqrt(length / 3));
  if (3 * colour * colour === length) return [3, colour, colour];
  throw new DataError(
    'badShape',
    file,
    `each image has ${length} values, which is no square grey or colour image; give the image shape (channels, height, width).`,
  );
}

/**
 * The factor that brings pixel values to 0-255: 255 when they all lie in 0-1, 1 when in 0-255. Values below 0
 * (already normalised) or above 255 are refused, since the originals cannot be recovered.
 */
export function pixelScale(values: ArrayLike<number>, file: string): number {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    if (Number.isNaN(v)) throw new DataError('badNumber', file, 'the images hold NaN (not-a-number) values.');
  }
  if (min >= 0 && max <= 1) return 255;
  if (min >= 0 && max <= 255) return 1;
  throw new DataError(
    'badPixelRange',
    file,
    `pixel values run from ${round(min)} to ${round(max)}; they must lie in 0-1 or 0-255 (save the images before normalising them).`,
  );
}

function round(value: number): string {
  return String(Math.round(value * 1000) / 1000);
}

/** One pixel value, scaled and rounded to a byte. */
export function toByte(value: number, scale: number): number {
  return Math.min(255, Math.max(0, Math.round(value * scale)));
}

/** Checks labels are whole numbers from 0 and returns them as Int32Array. */
export function toLabels(values: ArrayLike<number>, file: string): Int32Array {
  const labels = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v) || v < 0 || v > 1_000_000)
      throw new DataError(
        'badLabel',
        file,
        `label ${i + 1} is ${v}; labels must be class numbers 0, 1, 2, ...`,
      );
    labels[i] = v;
  }
  return labels;
}
