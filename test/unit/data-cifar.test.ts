// CIFAR reader: loose batches, a .tar.gz of them (through the streaming tar reader), CIFAR-100 labels, damage.

import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readCifar } from '../../engine/data/cifar.ts';
import { DataError } from '../../engine/data/errors.ts';
import { detectFormat, importDataSet } from '../../engine/data/formats.ts';
import { hash32 } from '../../engine/data/random.ts';
import { memoryFile } from '../../engine/data/sources.ts';

const PIXELS = 3072;

/** A batch of `count` records: label byte(s) then 3072 hashed pixels (so gzip cannot shrink them much). */
function batch(count: number, seed: number, labelBytes: 1 | 2 = 1): { bytes: Uint8Array; labels: number[] } {
  const record = PIXELS + labelBytes;
  const bytes = new Uint8Array(count * record);
  const labels: number[] = [];
  for (let i = 0; i < count; i++) {
    const label = (i * 3 + seed) % (labelBytes === 1 ? 10 : 100);
    labels.push(label);
    if (labelBytes === 2) bytes[i * record] = label % 20;
    bytes[i * record + labelBytes - 1] = label;
    for (let p = 0; p < PIXELS; p++)
      bytes[i * record + labelBytes + p] = hash32(seed * 100003 + i * 3079 + p) & 255;
  }
  return { bytes, labels };
}

/** A ustar archive of the given files. */
function tar(files: Record<string, Uint8Array>): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const [name, data] of Object.entries(files)) {
    const header = new Uint8Array(512);
    const put = (text: string, at: number) => header.set(new TextEncoder().encode(text), at);
    put(name, 0);
    put('0000644\0', 100);
    put('0000000\0', 108);
    put('0000000\0', 116);
    put(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
    put('00000000000\0', 136);
    put('        ', 148);
    put('0', 156);
    put('ustar\0', 257);
    put('00', 263);
    const sum = header.reduce((a, b) => a + b, 0);
    put(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(header, data, new Uint8Array((512 - (data.length % 512)) % 512));
  }
  blocks.push(new Uint8Array(1024));
  const out = new Uint8Array(blocks.reduce((a, b) => a + b.length, 0));
  let at = 0;
  for (const b of blocks) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

const META = new TextEncoder().encode('plane\ncar\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n');

describe('CIFAR reader', () => {
  it('reads loose CIFAR-10 batches, test batch last, with names from batches.meta.txt', async () => {
    const one = batch(4, 1);
    const test = batch(3, 9);
    const { dataset, skipped } = await importDataSet([
      memoryFile('test_batch.bin', test.bytes, 1000),
      memoryFile('data_batch_1.bin', one.bytes, 1000),
      memoryFile('batches.meta.txt', META),
    ]);
    expect(skipped).toEqual([]);
    expect(dataset.shape).toEqual([3, 32, 32]);
    expect([...dataset.labels]).toEqual([...one.labels, ...test.labels]);
    expect([...dataset.images.subarray(0, PIXELS)]).toEqual([...one.bytes.subarray(1, 1 + PIXELS)]);
    expect(dataset.classes[0]).toBe('plane');
    expect(dataset.source.parts.map((p) => p.name)).toEqual(['data_batch_1', 'test_batch']);
  });

  it('reads batches inside a .tar.gz streamed in odd chunks, the same as loose ones', async () => {
    const one = batch(5, 1);
    const two = batch(2, 2);
    const archive = gzipSync(
      tar({
        'cifar-10-batches-bin/data_batch_1.bin': one.bytes,
        'cifar-10-batches-bin/batches.meta.txt': META,
        'cifar-10-batches-bin/data_batch_2.bin': two.bytes,
        'cifar-10-batches-bin/readme.html': new Uint8Array(10),
      }),
    );
    const file = memoryFile('cifar-10-binary.tar.gz', archive, 333);
    expect((await detectFormat([file])).format).toBe('cifar');
    const { dataset, skipped } = await readCifar([file]);
    expect(skipped).toEqual([]);
    expect([...dataset.labels]).toEqual([...one.labels, ...two.labels]);
    const last = dataset.images.subarray(6 * PIXELS);
    expect([...last]).toEqual([...two.bytes.subarray(PIXELS + 2)]);
    expect(dataset.classes[1]).toBe('car');
  });

  it('reads CIFAR-100 fine labels by default and coarse ones on request', async () => {
    const train = batch(6, 4, 2);
    const names = new TextEncoder().encode(Array.from({ length: 100 }, (_, i) => `fine${i}`).join('\n'));
    const files = [memoryFile('train.bin', train.bytes), memoryFile('fine_label_names.txt', names)];
    const fine = await readCifar(files);
    expect([...fine.dataset.labels]).toEqual(train.labels);
    expect(fine.dataset.classes.length).toBe(100);
    expect(fine.dataset.classes[7]).toBe('fine7');
    const coarse = await readCifar(files, { cifar100Labels: 'coarse' });
    expect([...coarse.dataset.labels]).toEqual(train.labels.map((l) => l % 20));
    expect(coarse.dataset.classes.length).toBe(20);
  });

  it('names a .tar.gz cut short, keeping whole batches read before the cut', async () => {
    const archive = gzipSync(
      tar({ 'data_batch_1.bin': batch(3, 1).bytes, 'data_batch_2.bin': batch(3, 2).bytes }),
    );
    const early = await readCifar([memoryFile('cifar-10-binary.tar.gz', archive.subarray(0, 4000))]).catch(
      (e) => e,
    );
    expect(early).toBeInstanceOf(DataError);
    expect(early.problem).toBe('truncated');
    expect(early.message).toMatch(/^cifar-10-binary\.tar\.gz: /);

    const late = await readCifar([
      memoryFile('cifar-10-binary.tar.gz', archive.subarray(0, archive.length - 40)),
    ]);
    expect(late.dataset.labels.length).toBe(3);
    expect(late.skipped.map((e) => [e.problem, e.file])).toEqual([['truncated', 'cifar-10-binary.tar.gz']]);
  });

  it('skips a batch of the wrong size and one with impossible labels, naming each', async () => {
    const good = batch(2, 1);
    const bad = batch(2, 5);
    bad.bytes[PIXELS + 1] = 77;
    const { dataset, skipped } = await readCifar([
      memoryFile('data_batch_1.bin', good.bytes),
      memoryFile('data_batch_2.bin', good.bytes.subarray(0, 5000)),
      memoryFile('data_batch_3.bin', bad.bytes),
    ]);
    expect(dataset.labels.length).toBe(2);
    expect(skipped.map((e) => [e.problem, e.file])).toEqual([
      ['truncated', 'data_batch_2.bin'],
      ['badLabel', 'data_batch_3.bin'],
    ]);
  });
});
