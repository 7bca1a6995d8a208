// Format detection by names and first bytes, the supported-format list, and the in-memory file sources.

import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../engine/data/errors.ts';
import { detectFormat, FORMATS } from '../../engine/data/formats.ts';
import { listFiles, memoryFile, memoryFolder, readHead } from '../../engine/data/sources.ts';

const bytes = (...values: number[]) => new Uint8Array(values);
const IDX_HEAD = bytes(0, 0, 8, 1, 0, 0, 0, 1, 5);

async function format(...files: [string, Uint8Array][]) {
  return (await detectFormat(files.map(([name, data]) => memoryFile(name, data)))).format;
}

describe('detectFormat', () => {
  it('knows each format by name', async () => {
    expect(await format(['train-images-idx3-ubyte.gz', bytes(1)], ['README.md', bytes(1)])).toBe('idx');
    expect(await format(['data_batch_1.bin', new Uint8Array(3073)], ['batches.meta.txt', bytes(1)])).toBe(
      'cifar',
    );
    expect(await format(['cifar-100-binary.tar.gz', bytes(1)])).toBe('cifar');
    expect(await format(['cats/1.png', bytes(1)], ['dogs/2.JPG'.toLowerCase(), bytes(1)])).toBe(
      'image-folder',
    );
    expect(await format(['pets.zip', bytes(1)])).toBe('image-folder');
    expect(await format(['mnist.npz', bytes(1)])).toBe('numpy');
    expect(await format(['x.npy', bytes(1)], ['y.npy', bytes(1)])).toBe('numpy');
    expect(await format(['train.csv', bytes(1)])).toBe('csv');
  });

  it('falls back on first bytes, looking inside gzip', async () => {
    expect(await format(['digits', IDX_HEAD])).toBe('idx');
    expect(await format(['digits.gz', gzipSync(IDX_HEAD)])).toBe('idx');
    expect(await format(['picture', bytes(0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10)])).toBe('image-folder');
    expect(await format(['array', bytes(0x93, ...new TextEncoder().encode('NUMPY'))])).toBe('numpy');
  });

  it('lists the supported formats when nothing fits, and refuses a mix', async () => {
    const unknown = await format(['model.pt', bytes(1, 2, 3)]).catch((e) => e);
    expect(unknown).toBeInstanceOf(DataError);
    expect(unknown.problem).toBe('unknownFormat');
    expect(unknown.file).toBe('model.pt');
    for (const f of FORMATS) expect(unknown.message).toContain(f.description);
    const mixed = await format(['train.csv', bytes(1)], ['x.npy', bytes(1)]).catch((e) => e);
    expect(mixed.problem).toBe('mixedFormats');
  });
});

describe('in-memory sources', () => {
  it('lists a folder tree as sorted paths and reads heads without the rest', async () => {
    const folder = memoryFolder('root', {
      'b/2.png': bytes(2),
      'a/1.png': bytes(1),
      'top.txt': bytes(3, 4, 5),
    });
    const files = await listFiles(folder);
    expect(files.map((f) => f.name)).toEqual(['a/1.png', 'b/2.png', 'top.txt']);
    expect([...(await readHead(files[2]!, 2))]).toEqual([3, 4]);
  });
});
