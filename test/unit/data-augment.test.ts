// CPU reference augmentation: exact cases (flips, quarter turns, normalise, zero noise), seeds, draw layout.

import { describe, expect, it } from 'vitest';
import { augmentBatch, augmentBatchWithKey, sampleParams } from '../../engine/data/augment.ts';
import { channelStats } from '../../engine/data/dataset.ts';
import { hash32 } from '../../engine/data/random.ts';
import type { DataSet, ImageShape } from '../../engine/data/types.ts';
import { Random } from '../../engine/train/random.ts';

function images(count: number, shape: ImageShape, seed = 1): Uint8Array {
  return Uint8Array.from(
    { length: count * shape[0] * shape[1] * shape[2] },
    (_, i) => hash32(i + seed * 7919) & 255,
  );
}

const scaled = (bytes: Uint8Array) => Float32Array.from(bytes, (v) => v / 255);

/** Rotates one H x W plane a quarter turn counter-clockwise by hand (numpy.rot90). */
function rot90(plane: number[], size: number): number[] {
  const out: number[] = [];
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) out.push(plane[x * size + (size - 1 - y)]!);
  return out;
}

describe('augmentation', () => {
  const shape: ImageShape = [3, 5, 4];
  const batch = images(2, shape);

  it('flipping twice (either way) gives the image back exactly', () => {
    for (const flip of [{ horizontalFlip: 1 }, { verticalFlip: 1 }]) {
      const once = augmentBatch(batch, shape, flip, new Random(1));
      expect(once).not.toEqual(scaled(batch));
      expect(augmentBatch(once, shape, flip, new Random(2))).toEqual(scaled(batch));
    }
    // Pixel (0, 0) of the mirrored image is pixel (0, W-1) of the original.
    const once = augmentBatch(batch, shape, { horizontalFlip: 1 }, new Random(3));
    expect(once[0]).toBe(Math.fround(batch[3]! / 255));
  });

  it('a quarter turn of a 4x4 and a 3x3 image equals the hand-rotated one, pixel for pixel', () => {
    for (const size of [3, 4]) {
      const plane = Array.from({ length: size * size }, (_, i) => i + 1);
      const input = Float32Array.from(plane);
      const s: ImageShape = [1, size, size];
      const turned = [...augmentBatch(input, s, { rotation: { angles: [90] } }, new Random(5))];
      expect(turned).toEqual(rot90(plane, size));
      const half = [...augmentBatch(input, s, { rotation: { angles: [180] } }, new Random(5))];
      expect(half).toEqual(rot90(rot90(plane, size), size));
      const back = [...augmentBatch(input, s, { rotation: { angles: [-90] } }, new Random(5))];
      expect(back).toEqual(rot90(rot90(rot90(plane, size), size), size));
    }
    expect([
      ...augmentBatch(Float32Array.of(1, 2, 3, 4), [1, 2, 2], { rotation: { angles: [90] } }, new Random(0)),
    ]).toEqual([2, 4, 1, 3]);
  });

  it('normalising with the data set statistics gives mean 0 and standard deviation 1 per channel', () => {
    const s: ImageShape = [3, 6, 6];
    const n = 40;
    const dataset: DataSet = {
      images: images(n, s, 9).map((v, i) => (i % 108 < 36 ? v >> 2 : v)),
      labels: new Int32Array(n),
      shape: s,
      classes: ['0'],
      source: { kind: 'idx', name: 't', files: [], parts: [] },
    };
    const stats = channelStats(dataset);
    expect(stats.mean[0]).toBeLessThan(stats.mean[1]!);
    const out = augmentBatch(dataset.images, s, { normalize: stats }, new Random(1));
    for (let c = 0; c < 3; c++) {
      const values: number[] = [];
      for (let k = 0; k < n; k++) values.push(...out.subarray((k * 3 + c) * 36, (k * 3 + c + 1) * 36));
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
      expect(Math.abs(mean)).toBeLessThan(1e-5);
      expect(Math.abs(Math.sqrt(variance) - 1)).toBeLessThan(1e-5);
    }
  });

  it('noise of std 0 is the identity; noise of std 0.1 has that spread', () => {
    expect(augmentBatch(batch, shape, { noise: 0 }, new Random(4))).toEqual(scaled(batch));
    const flat = new Uint8Array(64 * 64).fill(128);
    const noisy = augmentBatch(flat, [1, 64, 64], { noise: 0.1 }, new Random(4));
    const diffs = [...noisy].map((v) => v - 128 / 255);
    const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length;
    const std = Math.sqrt(diffs.reduce((a, b) => a + (b - mean) ** 2, 0) / diffs.length);
    expect(Math.abs(mean)).toBeLessThan(0.005);
    expect(Math.abs(std - 0.1)).toBeLessThan(0.005);
  });

  it('the same seed reproduces a batch, another seed changes it', () => {
    const all = {
      horizontalFlip: 0.5,
      verticalFlip: 0.5,
      rotation: { degrees: 15 },
      scale: [0.9, 1.1] as [number, number],
      translate: 2,
      crop: { padding: 1 },
      erase: { probability: 0.5 },
      noise: 0.05,
      normalize: { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] },
    };
    const a = augmentBatch(batch, shape, all, new Random(42));
    expect(augmentBatch(batch, shape, all, new Random(42))).toEqual(a);
    expect(augmentBatch(batch, shape, all, new Random(43))).not.toEqual(a);
    // Each draw has a fixed slot: turning rotation off leaves the flips drawn as before.
    const withRotation = sampleParams(77, 3, shape, { horizontalFlip: 0.5, rotation: { degrees: 30 } });
    const without = sampleParams(77, 3, shape, { horizontalFlip: 0.5 });
    expect(without.flipX).toBe(withRotation.flipX);
    expect(without.angle).toBe(0);
  });

  it('crop and shift move whole pixels with 0 coming in; erase zeroes one rectangle', () => {
    const s: ImageShape = [1, 8, 8];
    const one = images(1, s, 3);
    for (const options of [{ crop: { padding: 3 } }, { translate: 3 }]) {
      for (let key = 0; key < 20; key++) {
        const p = sampleParams(key, 0, s, options);
        const dx = p.cropX - p.shiftX;
        const dy = p.cropY - p.shiftY;
        const out = augmentBatchWithKey(one, s, options, key);
        for (let y = 0; y < 8; y++)
          for (let x = 0; x < 8; x++) {
            const sx = x + dx;
            const sy = y + dy;
            const expected = sx >= 0 && sx < 8 && sy >= 0 && sy < 8 ? one[sy * 8 + sx]! / 255 : 0;
            expect(out[y * 8 + x]).toBeCloseTo(expected, 6);
          }
      }
    }
    const lit = one.map((v) => v | 1);
    const erased = augmentBatchWithKey(
      lit,
      s,
      { erase: { probability: 1, area: [0.25, 0.25], ratio: [1, 1] } },
      5,
    );
    const p = sampleParams(5, 0, s, { erase: { probability: 1, area: [0.25, 0.25], ratio: [1, 1] } });
    expect([p.erase.width, p.erase.height]).toEqual([4, 4]);
    for (let i = 0; i < 64; i++) {
      const x = i % 8;
      const y = Math.floor(i / 8);
      const inside = x >= p.erase.x && x < p.erase.x + 4 && y >= p.erase.y && y < p.erase.y + 4;
      expect(erased[i]).toBe(inside ? 0 : Math.fround(lit[i]! / 255));
    }
  });

  it('zoom 1 and rotation 0 change nothing; a turn of 45 degrees keeps the centre of a flat image', () => {
    expect(augmentBatch(batch, shape, { scale: [1, 1], rotation: { degrees: 0 } }, new Random(1))).toEqual(
      scaled(batch),
    );
    const flat = new Uint8Array(9 * 9).fill(255);
    const turned = augmentBatch(flat, [1, 9, 9], { rotation: { angles: [45] } }, new Random(1));
    expect(turned[4 * 9 + 4]).toBeCloseTo(1, 6);
    expect(turned[0]).toBe(0);
    const zoomed = augmentBatch(flat, [1, 9, 9], { scale: [0.5, 0.5] }, new Random(1));
    expect(zoomed[0]).toBe(0);
    expect(zoomed[4 * 9 + 4]).toBeCloseTo(1, 6);
  });
});
