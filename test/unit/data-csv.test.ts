// CSV reader: header or none, label column by name or first, shapes inferred or given, floats, bad cells.

import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readCsv } from '../../engine/data/csv.ts';
import { DataError } from '../../engine/data/errors.ts';
import { memoryFile } from '../../engine/data/sources.ts';

const text = (s: string) => new TextEncoder().encode(s);

function rows(count: number, pixels: number, header: boolean): string {
  const lines = header ? [['label', ...Array.from({ length: pixels }, (_, i) => `pixel${i}`)].join(',')] : [];
  for (let r = 0; r < count; r++)
    lines.push([r % 10, ...Array.from({ length: pixels }, (_, i) => (r + i) % 256)].join(','));
  return `${lines.join('\r\n')}\r\n`;
}

describe('CSV reader', () => {
  it('reads a Kaggle-style MNIST CSV (header, label first) streamed in small chunks', async () => {
    const { dataset, skipped } = await readCsv([memoryFile('mnist_train.csv', text(rows(3, 784, true)), 97)]);
    expect(skipped).toEqual([]);
    expect(dataset.shape).toEqual([1, 28, 28]);
    expect([...dataset.labels]).toEqual([0, 1, 2]);
    expect(dataset.images[784 + 5]).toBe(6);
    expect(dataset.classes.length).toBe(3);
  });

  it('infers 3x32x32 from 3072 pixels with no header, and reads gzipped CSV', async () => {
    const { dataset } = await readCsv([
      memoryFile('cifar.csv.gz', gzipSync(text(rows(2, 3072, false))), 1000),
    ]);
    expect(dataset.shape).toEqual([3, 32, 32]);
    expect(dataset.labels.length).toBe(2);
  });

  it('finds a label column by name anywhere, turns text labels into sorted classes, and scales 0-1 floats', async () => {
    const csv = 'p0,p1,p2,p3,class\n0,0.5,1,0.25,dog\n1,1,0,0,cat\n0,0,0,0,dog\n';
    const { dataset } = await readCsv([memoryFile('pets.csv', text(csv))]);
    expect(dataset.classes).toEqual(['cat', 'dog']);
    expect([...dataset.labels]).toEqual([1, 0, 1]);
    expect(dataset.shape).toEqual([1, 2, 2]);
    expect([...dataset.images.subarray(0, 4)]).toEqual([0, 128, 255, 64]);
  });

  it('uses a given shape and refuses one that does not fit', async () => {
    const csv = text('1,1,2,3,4,5,6\n0,6,5,4,3,2,1\n');
    const { dataset } = await readCsv([memoryFile('a.csv', csv)], { shape: [1, 2, 3] });
    expect(dataset.shape).toEqual([1, 2, 3]);
    const error = await readCsv([memoryFile('a.csv', csv)]).catch((e) => e);
    expect(error).toBeInstanceOf(DataError);
    expect(error.problem).toBe('badShape');
    expect(error.message).toMatch(/^a\.csv: each image has 6 values/);
  });

  it('names the file, row and column of a non-numeric pixel, and keeps a good file beside it', async () => {
    const bad = text('label,a,b,c,d\n1,0,0,0,0\n2,0,x7,0,0\n');
    const alone = await readCsv([memoryFile('bad.csv', bad)]).catch((e) => e);
    expect(alone).toBeInstanceOf(DataError);
    expect(alone.problem).toBe('badNumber');
    expect(alone.message).toBe('bad.csv: row 3, column "b": "x7" is not a number.');
    const { dataset, skipped } = await readCsv([
      memoryFile('bad.csv', bad),
      memoryFile('good.csv', text('label,a,b,c,d\n1,0,0,0,0\n')),
    ]);
    expect(dataset.labels.length).toBe(1);
    expect(skipped.map((e) => e.file)).toEqual(['bad.csv']);
  });

  it('refuses ragged rows and out-of-range pixels', async () => {
    const ragged = await readCsv([memoryFile('r.csv', text('1,2,3,4,5\n1,2,3\n'))]).catch((e) => e);
    expect(ragged.message).toBe('r.csv: row 2 has 3 values, but the first row has 5.');
    const range = await readCsv([memoryFile('n.csv', text('1,-0.4,2,0.1,0\n'))]).catch((e) => e);
    expect(range.problem).toBe('badPixelRange');
  });
});
