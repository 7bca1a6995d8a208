// Pixels for the screen: data set samples (grey or RGB planes) and tensors through a colour scale, as ImageData.

import type { ImageBlock } from '../worker/protocol.ts';

/** Viridis at 9 stops (perceptually even, readable for colour-blind users); low values dark blue, high yellow. */
const VIRIDIS = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
] as const;

/** The colour scale at t (0-1). */
export function viridis(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i]!;
  const b = VIRIDIS[i + 1]!;
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

/** The CSS gradient of the colour scale, for its legend. */
export const VIRIDIS_CSS = `linear-gradient(to right, ${VIRIDIS.map((c) => `rgb(${c.join(' ')})`).join(', ')})`;

/**
 * Sample `n` of a block as RGBA: one channel is grey, three are RGB, others show their first channel. Bytes are
 * 0-255; floats are 0-1 units (normalised ones are stretched to their own range so they stay visible).
 */
export function sampleImage(block: ImageBlock, n: number): ImageData {
  const [channels, height, width] = block.shape;
  const plane = height * width;
  const size = channels * plane;
  const out = new ImageData(width, height);
  const bytes = block.bytes;
  const floats = block.floats;
  let lo = 0;
  let hi = 1;
  if (floats) {
    lo = Number.POSITIVE_INFINITY;
    hi = Number.NEGATIVE_INFINITY;
    for (let i = n * size; i < (n + 1) * size; i++) {
      lo = Math.min(lo, floats[i]!);
      hi = Math.max(hi, floats[i]!);
    }
    // Plain 0-1 images keep their brightness; anything outside is stretched.
    if (lo >= -0.05 && hi <= 1.05) {
      lo = 0;
      hi = 1;
    }
  }
  const span = hi - lo || 1;
  const value = (c: number, i: number) => {
    const at = n * size + Math.min(c, channels - 1) * plane + i;
    return bytes ? bytes[at]! : ((floats![at]! - lo) / span) * 255;
  };
  const colourful = channels === 3;
  for (let i = 0; i < plane; i++) {
    out.data[i * 4] = value(0, i);
    out.data[i * 4 + 1] = value(colourful ? 1 : 0, i);
    out.data[i * 4 + 2] = value(colourful ? 2 : 0, i);
    out.data[i * 4 + 3] = 255;
  }
  return out;
}

/** One H x W plane through the colour scale, scaled between `lo` and `hi` (each channel gets its own). */
export function planeImage(
  data: ArrayLike<number>,
  offset: number,
  height: number,
  width: number,
  range?: [number, number],
): ImageData {
  let [lo, hi] = range ?? [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
  if (!range)
    for (let i = 0; i < height * width; i++) {
      lo = Math.min(lo, data[offset + i]!);
      hi = Math.max(hi, data[offset + i]!);
    }
  const span = hi - lo || 1;
  const out = new ImageData(width, height);
  for (let i = 0; i < height * width; i++) {
    const [r, g, b] = viridis((data[offset + i]! - lo) / span);
    out.data[i * 4] = r;
    out.data[i * 4 + 1] = g;
    out.data[i * 4 + 2] = b;
    out.data[i * 4 + 3] = 255;
  }
  return out;
}

/** The smallest and largest finite value. */
export function extent(values: ArrayLike<number>): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo > hi ? [0, 0] : [lo, hi];
}
