// GpuBatchSource (engine/webgpu/augment.ts, shaders/augment.wgsl) on SwiftShader against the CPU reference
// augmentation (engine/data/augment.ts) for the same batch key: every option alone and all together.

import { describe, expect, it } from 'vitest';
import { type AugmentOptions, augmentBatchWithKey } from '../../engine/data/augment.ts';
import type { ImageShape } from '../../engine/data/types.ts';
import { GpuError, TENSOR_USAGE } from '../../engine/gpu/index.ts';
import type { GpuRuntime } from '../../engine/gpu/runtime.ts';
import { GpuBatchSource, type GpuPreprocess } from '../../engine/webgpu/augment.ts';
import { sharedRuntime } from './fixture.ts';

const gpu = sharedRuntime();

/** Deterministic bytes with smooth and sharp structure (a plain LCG). */
function images(count: number, shape: ImageShape, seed = 1): Uint8Array {
  const out = new Uint8Array(count * shape[0] * shape[1] * shape[2]);
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

function gather(all: Uint8Array, shape: ImageShape, indices: number[]): Uint8Array {
  const size = shape[0] * shape[1] * shape[2];
  const out = new Uint8Array(indices.length * size);
  indices.forEach((at, n) => {
    out.set(all.subarray(at * size, (at + 1) * size), n * size);
  });
  return out;
}

async function runGpu(
  runtime: GpuRuntime,
  source: GpuBatchSource,
  indices: number[],
  key: number,
  pre: GpuPreprocess,
): Promise<Float32Array> {
  const count = indices.length * source.shape[0] * source.shape[1] * source.shape[2];
  const target = runtime.buffers.acquire(count * 4, TENSOR_USAGE, 'augment target');
  await source.write(indices, key, pre, target);
  const out = await runtime.readFloat32(target, count);
  runtime.buffers.release(target);
  return out;
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

const CASES: Record<string, AugmentOptions> = {
  none: {},
  horizontalFlip: { horizontalFlip: 0.5 },
  verticalFlip: { verticalFlip: 0.5 },
  rotationDegrees: { rotation: { degrees: 30 } },
  rotationAngles: { rotation: { angles: [0, 90, 180, 270, 45] } },
  scale: { scale: [0.8, 1.25] },
  translate: { translate: 3 },
  crop: { crop: { padding: 4 } },
  erase: { erase: { probability: 0.75 } },
  eraseCustom: { erase: { probability: 1, area: [0.1, 0.5], ratio: [0.5, 2] } },
  noise: { noise: 0.1 },
  all: {
    horizontalFlip: 0.5,
    verticalFlip: 0.3,
    rotation: { degrees: 20 },
    scale: [0.9, 1.1],
    translate: 2,
    crop: { padding: 2 },
    erase: { probability: 0.5 },
    noise: 0.05,
  },
};

const SHAPES: [number, ImageShape][] = [
  [4, [3, 9, 7]],
  [4, [1, 28, 28]],
];

const NORMALIZE = {
  3: { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] },
  1: { mean: [0.1307], std: [0.3081] },
} as Record<number, { mean: number[]; std: number[] }>;

describe('GpuBatchSource against the CPU reference', () => {
  for (const [count, shape] of SHAPES)
    for (const [name, options] of Object.entries(CASES))
      for (const normalized of [false, true])
        it(`${name} on ${count} x ${shape.join(' x ')}${normalized ? ', normalised' : ''}`, async () => {
          const runtime = await gpu();
          const all = images(11, shape, shape[0] * 7 + shape[1]);
          const source = GpuBatchSource.create(runtime, all, shape);
          const indices = [7, 2, 10, 2].slice(0, count);
          const normalize = normalized ? NORMALIZE[shape[0]]! : null;
          try {
            for (const key of [0x12345678, 0xdeadbeef, 7]) {
              const expected = augmentBatchWithKey(
                gather(all, shape, indices),
                shape,
                { ...options, normalize: normalize ?? undefined },
                key,
              );
              const actual = await runGpu(runtime, source, indices, key, { augment: options, normalize });
              expect(maxDiff(actual, expected), `key ${key}`).toBeLessThanOrEqual(1e-5);
            }
          } finally {
            source.dispose();
          }
        });
});

describe('GpuBatchSource over many keys', () => {
  it('draws the same erase rectangles, crops and flips as the CPU for 200 batch keys', async () => {
    const runtime = await gpu();
    const shape: ImageShape = [2, 16, 12];
    const all = images(6, shape, 5);
    const source = GpuBatchSource.create(runtime, all, shape);
    const indices = [0, 1, 2, 3, 4, 5];
    const options = CASES.all!;
    try {
      let worst = 0;
      for (let key = 0; key < 200; key++) {
        const k = (key * 0x9e3779b9) >>> 0;
        const expected = augmentBatchWithKey(gather(all, shape, indices), shape, options, k);
        const actual = await runGpu(runtime, source, indices, k, { augment: options, normalize: null });
        worst = Math.max(worst, maxDiff(actual, expected));
      }
      expect(worst).toBeLessThanOrEqual(1e-5);
    } finally {
      source.dispose();
    }
  });
});

describe('GpuBatchSource geometry', () => {
  const shape: ImageShape = [1, 5, 5];
  const image = Uint8Array.from({ length: 25 }, (_, i) => i * 10);

  it('flipping twice gives the image back', async () => {
    const runtime = await gpu();
    const source = GpuBatchSource.create(runtime, image, shape);
    try {
      const target = runtime.buffers.acquire(25 * 4, TENSOR_USAGE, 'augment target');
      const flip = { augment: { horizontalFlip: 1, verticalFlip: 1 }, normalize: null };
      await source.write([0], 1, flip, target);
      const once = await runtime.readFloat32(target, 25);
      const flipped = Uint8Array.from(once, (v) => Math.round(v * 255));
      runtime.buffers.release(target);
      const again = GpuBatchSource.create(runtime, flipped, shape);
      try {
        const twice = await runGpu(runtime, again, [0], 1, flip);
        expect(Array.from(twice, (v) => Math.round(v * 255))).toEqual(Array.from(image));
        expect(
          maxDiff(
            twice,
            Float32Array.from(image, (v) => v / 255),
          ),
        ).toBeLessThanOrEqual(1e-6);
        // One flip of both axes is a half turn: pixel (x, y) comes from (4 - x, 4 - y).
        expect(Array.from(flipped)).toEqual(Array.from(image).reverse());
      } finally {
        again.dispose();
      }
    } finally {
      source.dispose();
    }
  });

  it('turns a known image by exactly 90 degrees counter-clockwise', async () => {
    const runtime = await gpu();
    const source = GpuBatchSource.create(runtime, image, shape);
    try {
      const out = await runGpu(runtime, source, [0], 99, {
        augment: { rotation: { angles: [90] } },
        normalize: null,
      });
      // Counter-clockwise: the output's top row is the input's right column, read top to bottom.
      const expected = new Float32Array(25);
      for (let y = 0; y < 5; y++)
        for (let x = 0; x < 5; x++) expected[y * 5 + x] = image[x * 5 + (4 - y)]! / 255;
      expect(maxDiff(out, expected)).toBeLessThanOrEqual(1e-7);
      expect(
        maxDiff(out, augmentBatchWithKey(image, shape, { rotation: { angles: [90] } }, 99)),
      ).toBeLessThanOrEqual(1e-7);
      const degrees = await runGpu(runtime, source, [0], 0, {
        augment: { rotation: { degrees: 90 } },
        normalize: null,
      });
      // Key 0's rotation draw is not exactly 0 or 1, so compare with the reference rather than a quarter turn.
      expect(
        maxDiff(degrees, augmentBatchWithKey(image, shape, { rotation: { degrees: 90 } }, 0)),
      ).toBeLessThan(1e-5);
    } finally {
      source.dispose();
    }
  });
});

describe('GpuBatchSource limits', () => {
  it('says when a data set does not fit one storage buffer, so the caller can fall back to the CPU', async () => {
    const runtime = await gpu();
    const limit = Number(runtime.device.limits.maxStorageBufferBindingSize);
    expect(GpuBatchSource.unfitReason(runtime, 1024)).toBeNull();
    expect(GpuBatchSource.unfitReason(runtime, limit + 4)).toMatch(/larger than one GPU storage buffer/);
    const fake = { length: limit + 4, byteLength: limit + 4 } as Uint8Array;
    let error: unknown;
    try {
      GpuBatchSource.create(runtime, fake, [1, 1, 4]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GpuError);
    expect((error as GpuError).kind).toBe('tooLarge');
  });

  it('rejects indices outside the data set', async () => {
    const runtime = await gpu();
    const source = GpuBatchSource.create(runtime, new Uint8Array(8), [1, 2, 2]);
    try {
      const target = runtime.buffers.acquire(16, TENSOR_USAGE);
      await expect(source.write([2], 0, { augment: null, normalize: null }, target)).rejects.toThrow(
        RangeError,
      );
      runtime.buffers.release(target);
    } finally {
      source.dispose();
    }
  });
});
