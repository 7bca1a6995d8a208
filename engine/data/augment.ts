// CPU reference augmentation: scale to 0-1, flips, rotation/zoom/shift, crop, erase, noise, normalise, per batch.
//
// Randomness, in full, so a GPU version can reproduce it:
// - `augmentBatch` draws ONE uint32 per batch from the engine's generator (a `Random` stream): the batch key.
// - Sample i's draw in slot s is hashUniform(key, i * DRAWS_PER_SAMPLE + s), slots as in SLOT below. Every
//   slot exists whether or not its augmentation is on, so turning one off leaves the others' draws unchanged.
// - Noise for element e (flat index in the N x C x H x W batch) is hashNormal(key ^ NOISE_SALT, e).
// Order per sample (0-1 pixel units): flips, then rotation/zoom/shift around the centre (one bilinear sample,
// 0 outside the image), then crop (0 where the window leaves the image), erase (0), noise, normalise.

import { hashNormal, hashUniform, type RandomGenerator } from './random.ts';
import type { ImageShape } from './types.ts';

export interface AugmentOptions {
  /** Probability (0-1) of a left-right flip. */
  horizontalFlip?: number;
  /** Probability (0-1) of an upside-down flip. */
  verticalFlip?: number;
  /** Uniform within +-degrees, or one of the listed angles. Positive turns counter-clockwise (as torchvision). */
  rotation?: { degrees: number } | { angles: number[] };
  /** Zoom factor range around the centre, e.g. [0.9, 1.1]; above 1 zooms in. */
  scale?: [number, number];
  /** Largest shift, in whole pixels along each axis (uniform over -max..max). */
  translate?: number;
  /** Random crop as torchvision's RandomCrop(size, padding): pad with 0, cut a same-size window at random. */
  crop?: { padding: number };
  /** With `probability`, set a rectangle of `area` (fraction of the image, default [0.02, 0.33]) and aspect `ratio`
   * (default [0.3, 3.3]) to 0, as torchvision's RandomErasing. */
  erase?: { probability: number; area?: [number, number]; ratio?: [number, number] };
  /** Standard deviation of Gaussian (white) noise added to each value, in 0-1 units. Not clamped afterwards. */
  noise?: number;
  /** Per-channel (x - mean) / std, applied last (see `channelStats`). */
  normalize?: { mean: number[]; std: number[] };
}

export const DRAWS_PER_SAMPLE = 16;
export const SLOT = {
  horizontalFlip: 0,
  verticalFlip: 1,
  rotation: 2,
  scale: 3,
  translateX: 4,
  translateY: 5,
  cropX: 6,
  cropY: 7,
  erase: 8,
  eraseArea: 9,
  eraseRatio: 10,
  eraseX: 11,
  eraseY: 12,
} as const;
export const NOISE_SALT = 0x6e6f6973;

/** What one sample gets, drawn from the batch key: the numbers a GPU kernel would take as uniforms. */
export interface SampleParams {
  flipX: boolean;
  flipY: boolean;
  /** Radians, counter-clockwise. */
  angle: number;
  zoom: number;
  /** Whole-pixel shift of the content (right, down). */
  shiftX: number;
  shiftY: number;
  /** Crop window offset from the image's own position (whole pixels). */
  cropX: number;
  cropY: number;
  /** Erased rectangle, or width 0 for none. */
  erase: { x: number; y: number; width: number; height: number };
}

/** A uniform integer in -max..max from one draw. */
const symmetric = (u: number, max: number) => Math.floor(u * (2 * max + 1)) - max;

export function sampleParams(
  key: number,
  sample: number,
  shape: ImageShape,
  options: AugmentOptions,
): SampleParams {
  const u = (slot: number) => hashUniform(key, sample * DRAWS_PER_SAMPLE + slot);
  const [, height, width] = shape;
  let angle = 0;
  const rotation = options.rotation;
  if (rotation && 'angles' in rotation && rotation.angles.length > 0)
    angle = rotation.angles[Math.floor(u(SLOT.rotation) * rotation.angles.length)]!;
  else if (rotation && 'degrees' in rotation) angle = (2 * u(SLOT.rotation) - 1) * rotation.degrees;
  const [zoomMin, zoomMax] = options.scale ?? [1, 1];
  const shift = Math.floor(options.translate ?? 0);
  const pad = Math.floor(options.crop?.padding ?? 0);
  const erase = { x: 0, y: 0, width: 0, height: 0 };
  if (options.erase && u(SLOT.erase) < options.erase.probability) {
    const [areaMin, areaMax] = options.erase.area ?? [0.02, 0.33];
    const [ratioMin, ratioMax] = options.erase.ratio ?? [0.3, 3.3];
    const area = (areaMin + u(SLOT.eraseArea) * (areaMax - areaMin)) * height * width;
    const ratio = Math.exp(
      Math.log(ratioMin) + u(SLOT.eraseRatio) * (Math.log(ratioMax) - Math.log(ratioMin)),
    );
    erase.height = Math.min(height, Math.max(1, Math.floor(Math.sqrt(area * ratio) + 0.5)));
    erase.width = Math.min(width, Math.max(1, Math.floor(Math.sqrt(area / ratio) + 0.5)));
    erase.x = Math.floor(u(SLOT.eraseX) * (width - erase.width + 1));
    erase.y = Math.floor(u(SLOT.eraseY) * (height - erase.height + 1));
  }
  return {
    flipX: u(SLOT.horizontalFlip) < (options.horizontalFlip ?? 0),
    flipY: u(SLOT.verticalFlip) < (options.verticalFlip ?? 0),
    angle: (angle * Math.PI) / 180,
    zoom: zoomMin + u(SLOT.scale) * (zoomMax - zoomMin),
    shiftX: symmetric(u(SLOT.translateX), shift),
    shiftY: symmetric(u(SLOT.translateY), shift),
    cropX: symmetric(u(SLOT.cropX), pad),
    cropY: symmetric(u(SLOT.cropY), pad),
    erase,
  };
}

/** cos and sin, exact at multiples of 90 degrees so quarter turns move pixels without blurring them. */
function turn(angle: number): [number, number] {
  const quarters = angle / (Math.PI / 2);
  if (Number.isInteger(Math.round(quarters * 1e9) / 1e9)) {
    const q = ((Math.round(quarters) % 4) + 4) % 4;
    return [[1, 0, -1, 0][q]!, [0, 1, 0, -1][q]!];
  }
  return [Math.cos(angle), Math.sin(angle)];
}

/** Augments a batch (N x C x H x W; bytes are divided by 255, floats taken as 0-1). One key draw per batch. */
export function augmentBatch(
  images: Uint8Array | Float32Array,
  shape: ImageShape,
  options: AugmentOptions,
  random: RandomGenerator,
): Float32Array {
  return augmentBatchWithKey(images, shape, options, random.uint32());
}

export function augmentBatchWithKey(
  images: Uint8Array | Float32Array,
  shape: ImageShape,
  options: AugmentOptions,
  key: number,
): Float32Array {
  const count = Math.floor(images.length / (shape[0] * shape[1] * shape[2]));
  const params = Array.from({ length: count }, (_, n) => sampleParams(key, n, shape, options));
  return augmentWithParams(images, shape, params, options, key);
}

/** Applies given per-sample parameters (noise and normalise still from `options`, noise drawn under `key`). */
export function augmentWithParams(
  images: Uint8Array | Float32Array,
  shape: ImageShape,
  params: SampleParams[],
  options: AugmentOptions,
  key: number,
): Float32Array {
  const [channels, height, width] = shape;
  const plane = height * width;
  const size = channels * plane;
  const count = Math.min(params.length, Math.floor(images.length / size));
  const scale = images instanceof Uint8Array ? 1 / 255 : 1;
  const out = new Float32Array(count * size);
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const source = (at: number, x: number, y: number) =>
    x >= 0 && x < width && y >= 0 && y < height ? images[at + y * width + x]! * scale : 0;
  for (let n = 0; n < count; n++) {
    const p = params[n]!;
    const [cos, sin] = turn(p.angle);
    for (let oy = 0; oy < height; oy++)
      for (let ox = 0; ox < width; ox++) {
        // Crop: the window position in the (zero-padded) transformed image.
        const wx = ox + p.cropX;
        const wy = oy + p.cropY;
        const inside = wx >= 0 && wx < width && wy >= 0 && wy < height;
        // Undo the shift, the turn and the zoom, then the flips: where in the original this pixel comes from.
        const dx = wx - cx - p.shiftX;
        const dy = wy - cy - p.shiftY;
        let sx = (cos * dx - sin * dy) / p.zoom + cx;
        let sy = (sin * dx + cos * dy) / p.zoom + cy;
        if (p.flipX) sx = width - 1 - sx;
        if (p.flipY) sy = height - 1 - sy;
        const x0 = Math.floor(sx);
        const y0 = Math.floor(sy);
        const fx = sx - x0;
        const fy = sy - y0;
        const erased =
          ox >= p.erase.x &&
          ox < p.erase.x + p.erase.width &&
          oy >= p.erase.y &&
          oy < p.erase.y + p.erase.height;
        for (let c = 0; c < channels; c++) {
          const at = (n * channels + c) * plane;
          let value = 0;
          if (inside && !erased) {
            value =
              (1 - fy) * ((1 - fx) * source(at, x0, y0) + fx * source(at, x0 + 1, y0)) +
              fy * ((1 - fx) * source(at, x0, y0 + 1) + fx * source(at, x0 + 1, y0 + 1));
          }
          const index = at + oy * width + ox;
          if (options.noise) value += options.noise * hashNormal(key ^ NOISE_SALT, index);
          if (options.normalize)
            value = (value - (options.normalize.mean[c] ?? 0)) / (options.normalize.std[c] ?? 1);
          out[index] = value;
        }
      }
  }
  return out;
}
