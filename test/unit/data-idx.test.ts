// IDX reader: plain and gzipped MNIST-style pairs, streaming across odd chunk sizes, and damaged files.

import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../engine/data/errors.ts';
import { importDataSet } from '../../engine/data/formats.ts';
import { readIdx } from '../../engine/data/idx.ts';
import { memoryFile } from '../../engine/data/sources.ts';

/** An IDX file of unsigned bytes. */
function idx(dims: number[], data: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out.set([0, 0, 8, dims.length]);
  dims.forEach((d, i) => {
    view.setUint32(4 + 4 * i, d);
  });
  out.set(data, 4 + 4 * dims.length);
  return out;
}

/** `count` images of h x w whose pixels encode (image, position), and labels image % 10. */
function digits(count: number, h = 4, w = 3) {
  const pixels = Array.from({ length: count * h * w }, (_, i) => (i * 7) % 256);
  const labels = Array.from({ length: count }, (_, i) => i % 10);
  return { images: idx([count, h, w], pixels), labels: idx([count], labels), pixels, labelValues: labels };
}

async function rejects(promise: Promise<unknown>): Promise<DataError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DataError);
  return error as DataError;
}

describe('IDX reader', () => {
  it('reads an uncompressed pair, streamed in 7-byte chunks', async () => {
    const d = digits(25);
    const files = [
      memoryFile('train-labels-idx1-ubyte', d.labels, 7),
      memoryFile('train-images-idx3-ubyte', d.images, 7),
    ];
    const { dataset, skipped } = await readIdx(files);
    expect(skipped).toEqual([]);
    expect(dataset.shape).toEqual([1, 4, 3]);
    expect([...dataset.images]).toEqual(d.pixels);
    expect([...dataset.labels]).toEqual(d.labelValues);
    expect(dataset.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(dataset.source.kind).toBe('idx');
  });

  it('reads gzipped pairs, train before t10k, as two parts, and reports progress', async () => {
    const train = digits(30);
    const test = digits(12);
    const files = [
      memoryFile('t10k-images-idx3-ubyte.gz', gzipSync(test.images), 5),
      memoryFile('t10k-labels-idx1-ubyte.gz', gzipSync(test.labels), 5),
      memoryFile('train-images-idx3-ubyte.gz', gzipSync(train.images), 5),
      memoryFile('train-labels-idx1-ubyte.gz', gzipSync(train.labels), 5),
    ];
    const reports: [number, string][] = [];
    const { dataset } = await importDataSet(files, { onProgress: (f, m) => reports.push([f, m]) });
    expect(dataset.labels.length).toBe(42);
    expect(dataset.source.parts.map((p) => [p.name, p.start, p.count])).toEqual([
      ['train', 0, 30],
      ['t10k', 30, 12],
    ]);
    expect([...dataset.images.subarray(0, train.pixels.length)]).toEqual(train.pixels);
    expect(reports.length).toBeGreaterThan(2);
    expect(reports.at(-1)![0]).toBe(1);
    for (let i = 1; i < reports.length; i++)
      expect(reports[i]![0]).toBeGreaterThanOrEqual(reports[i - 1]![0]);
  });

  it('turns EMNIST images upright and names Fashion-MNIST classes', async () => {
    const image = [1, 2, 3, 4, 5, 6]; // stored column by column: a 2x3 image whose rows are 1 3 5 / 2 4 6
    const emnist = await readIdx([
      memoryFile('emnist-digits-train-images-idx3-ubyte', idx([1, 2, 3], image)),
      memoryFile('emnist-digits-train-labels-idx1-ubyte', idx([1], [3])),
    ]);
    expect([...emnist.dataset.images]).toEqual([1, 3, 5, 2, 4, 6]);
    const d = digits(10);
    const fashion = await readIdx(
      [memoryFile('train-images-idx3-ubyte', d.images), memoryFile('train-labels-idx1-ubyte', d.labels)],
      { name: 'fashion-mnist' },
    );
    expect(fashion.dataset.classes[9]).toBe('Ankle boot');
  });

  it('names the file when it is cut short', async () => {
    const d = digits(10);
    const error = await rejects(
      readIdx([
        memoryFile('train-images-idx3-ubyte', d.images.subarray(0, d.images.length - 20)),
        memoryFile('train-labels-idx1-ubyte', d.labels),
      ]),
    );
    expect(error.problem).toBe('truncated');
    expect(error.file).toBe('train-images-idx3-ubyte');
    expect(error.message).toMatch(/^train-images-idx3-ubyte: .*promises 10 items but it ends after 8/);
  });

  it('names the file whose gzip stream is cut short', async () => {
    const d = digits(200, 8, 8);
    const gz = gzipSync(d.images);
    const error = await rejects(
      readIdx([
        memoryFile('train-images-idx3-ubyte.gz', gz.subarray(0, gz.length - 3)),
        memoryFile('train-labels-idx1-ubyte.gz', gzipSync(d.labels)),
      ]),
    );
    expect(error.problem).toBe('truncated');
    expect(error.file).toBe('train-images-idx3-ubyte.gz');
  });

  it('refuses a wrong magic number, naming the file', async () => {
    const d = digits(3);
    const bad = d.images.slice();
    bad[0] = 0x12;
    const error = await rejects(
      readIdx([memoryFile('train-images-idx3-ubyte', bad), memoryFile('train-labels-idx1-ubyte', d.labels)]),
    );
    expect(error.problem).toBe('wrongMagic');
    expect(error.message).toMatch(/^train-images-idx3-ubyte: this is not an IDX/);
  });

  it('refuses differing counts and lone files, keeping a good pair beside a bad one', async () => {
    const good = digits(5);
    const { dataset, skipped } = await readIdx([
      memoryFile('train-images-idx3-ubyte', good.images),
      memoryFile('train-labels-idx1-ubyte', good.labels),
      memoryFile('t10k-images-idx3-ubyte', digits(4).images),
      memoryFile('t10k-labels-idx1-ubyte', digits(3).labels),
      memoryFile('extra-images-idx3-ubyte', digits(2).images),
    ]);
    expect(dataset.labels.length).toBe(5);
    expect(skipped.map((e) => [e.problem, e.file])).toEqual([
      ['missingPartner', 'extra-images-idx3-ubyte'],
      ['countMismatch', 't10k-images-idx3-ubyte'],
    ]);
  });
});
