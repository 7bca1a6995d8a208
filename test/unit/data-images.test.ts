// Image folder reader and resizing: PNG/JPEG of mixed sizes and colour, class folders, a .zip, broken files.

import { encode as encodePng } from 'fast-png';
import { zipSync } from 'fflate';
import { encode as encodeJpeg } from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../engine/data/errors.ts';
import { importFolder } from '../../engine/data/formats.ts';
import { readImageFolder } from '../../engine/data/image-folder.ts';
import { fitImage, resizePlane } from '../../engine/data/resize.ts';
import { listFiles, memoryFile, memoryFolder } from '../../engine/data/sources.ts';

/** A solid-colour image as a PNG (channels 1, 3 or 4) at the given bit depth. */
function png(width: number, height: number, colour: number[], depth: 8 | 16 = 8): Uint8Array {
  const pixels = width * height;
  const data =
    depth === 16 ? new Uint16Array(pixels * colour.length) : new Uint8Array(pixels * colour.length);
  for (let i = 0; i < data.length; i++) data[i] = colour[i % colour.length]! * (depth === 16 ? 257 : 1);
  return encodePng({ width, height, data, depth, channels: colour.length });
}

function jpeg(width: number, height: number, rgb: number[]): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([...rgb, 255], i * 4);
  return new Uint8Array(encodeJpeg({ width, height, data }, 95).data);
}

const RED = [255, 0, 0];

function pets(prefix = ''): Record<string, Uint8Array> {
  const broken = png(5, 5, RED).slice(0, 60);
  return {
    [`${prefix}cats/a.png`]: png(8, 6, RED),
    [`${prefix}cats/b.jpg`]: jpeg(5, 5, [128, 128, 128]),
    [`${prefix}dogs/c.png`]: png(3, 3, [200], 16),
    [`${prefix}dogs/d.png`]: png(7, 9, [0, 0, 255, 128]),
    [`${prefix}dogs/broken.png`]: broken,
    [`${prefix}cats/cut.jpg`]: jpeg(16, 16, [10, 200, 30]).slice(0, 300),
    [`${prefix}notes.docx`]: new Uint8Array(4),
    [`${prefix}dogs/.DS_Store`]: new Uint8Array(4),
  };
}

/** The colour of each image's top-left pixel, per channel. */
function corners(images: Uint8Array, count: number, shape: [number, number, number]): number[][] {
  const [c, h, w] = shape;
  return Array.from({ length: count }, (_, n) =>
    Array.from({ length: c }, (_, k) => images[(n * c + k) * h * w]!),
  );
}

describe('resizing', () => {
  it('enlarges bilinearly with half-pixel centres and shrinks by averaging areas', () => {
    expect([...resizePlane([0, 100], 1, 2, 1, 4)]).toEqual([0, 25, 75, 100]);
    const four = [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31];
    expect([...resizePlane(four, 4, 4, 2, 2)]).toEqual([6, 10, 22, 26]);
    // 3 -> 2: output pixels cover [0, 1.5) and [1.5, 3).
    expect([...resizePlane([0, 30, 90], 1, 3, 1, 2)].map((v) => Math.round(v * 1000) / 1000)).toEqual([
      10, 70,
    ]);
  });

  it('converts colour to grey with PIL weights and grey to colour by copying', () => {
    const red = new Uint8Array([255, 0, 0]);
    expect([...fitImage(red, 3, 1, 1, [1, 1, 1])]).toEqual([76]);
    expect([...fitImage(new Uint8Array([9]), 1, 1, 1, [3, 1, 1])]).toEqual([9, 9, 9]);
  });
});

describe('image folder reader', () => {
  it('imports a folder of mixed PNG/JPEG, sizes and colour, skipping and naming what it cannot read', async () => {
    const { dataset, skipped } = await importFolder(memoryFolder('pets', pets(), 100), { shape: [3, 4, 4] });
    expect(dataset.classes).toEqual(['cats', 'dogs']);
    expect(dataset.shape).toEqual([3, 4, 4]);
    expect([...dataset.labels]).toEqual([0, 0, 1, 1]);
    expect(dataset.source.name).toBe('pets');
    const colours = corners(dataset.images, 4, [3, 4, 4]);
    expect(colours[0]).toEqual(RED);
    for (const v of colours[1]!) expect(Math.abs(v - 128)).toBeLessThanOrEqual(2);
    expect(colours[2]).toEqual([200, 200, 200]);
    expect(colours[3]).toEqual([0, 0, 255]);
    expect(skipped.map((e) => [e.problem, e.file])).toEqual([
      ['unsupported', 'notes.docx'],
      ['badImage', 'cats/cut.jpg'],
      ['badImage', 'dogs/broken.png'],
    ]);
    expect(skipped[1]!.message).toMatch(/^cats\/cut\.jpg: this JPEG image is damaged/);
    expect(skipped[2]!.message).toMatch(/^dogs\/broken\.png: this PNG image is damaged/);
    expect(dataset.source.files).not.toContain('dogs/broken.png');
  });

  it('converts to grey when the Input asks for one channel, and takes the first image size when none is given', async () => {
    const grey = await readImageFolder(await listFiles(memoryFolder('pets', pets())), { shape: [1, 2, 2] });
    expect(corners(grey.dataset.images, 1, [1, 2, 2])[0]).toEqual([76]);
    const native = await readImageFolder(await listFiles(memoryFolder('pets', pets())));
    expect(native.dataset.shape).toEqual([3, 6, 8]);
  });

  it('reads the same folder inside a .zip, naming broken entries inside the archive', async () => {
    const archive = zipSync(pets('pets/'));
    const { dataset, skipped } = await importFolder(memoryFolder('downloads', { 'pets.zip': archive }), {
      shape: [3, 4, 4],
    });
    expect(dataset.classes).toEqual(['cats', 'dogs']);
    expect(dataset.labels.length).toBe(4);
    expect(skipped.map((e) => e.file)).toEqual([
      'pets.zip: pets/notes.docx',
      'pets.zip: pets/cats/cut.jpg',
      'pets.zip: pets/dogs/broken.png',
    ]);
  });

  it('refuses a folder with no class folders, and a zip cut short, naming it', async () => {
    const flat = await readImageFolder([memoryFile('a.png', png(2, 2, RED))]).catch((e) => e);
    expect(flat).toBeInstanceOf(DataError);
    expect(flat.message).toMatch(/a\.png: this image is not inside a class folder/);
    const archive = zipSync(pets());
    const cut = await readImageFolder([
      memoryFile('pets.zip', archive.subarray(0, archive.length - 30)),
    ]).catch((e) => e);
    expect(cut).toBeInstanceOf(DataError);
    expect(cut.message).toMatch(/^pets\.zip: /);
  });
});
