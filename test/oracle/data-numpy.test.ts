// NumPy and PyTorch decide: .npy/.npz files numpy writes import as numpy meant them, and resizing and
// augmentation geometry match torch's F.interpolate and torchvision's affine and flips.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { augmentWithParams, type SampleParams } from '../../engine/data/augment.ts';
import { DataError } from '../../engine/data/errors.ts';
import { importDataSet } from '../../engine/data/formats.ts';
import { resizePlane } from '../../engine/data/resize.ts';
import { type DataFile, memoryFile } from '../../engine/data/sources.ts';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./data_numpy.py', import.meta.url));

interface Expected {
  shape: number[];
  images: number[];
  labels: number[];
  parts?: string[];
}

let dir = '';
let expected: Record<string, Expected> = {};
const file = (name: string): DataFile =>
  memoryFile(name, new Uint8Array(readFileSync(join(dir, name))), 4096);

beforeAll(() => {
  // NOTE: this oracle must run, not skip: a missing numpy is a broken environment (apt-get install python3-numpy).
  if (!existsSync(PYTHON))
    throw new Error(`NumPy oracle: ${PYTHON} does not exist. Install Debian's python3-numpy.`);
  dir = mkdtempSync(join(tmpdir(), 'nc-npy-'));
  for (const command of ['numpy', 'tar']) {
    const run = spawnSync(PYTHON, [SCRIPT, command, dir], { encoding: 'utf8' });
    if (run.status !== 0)
      throw new Error(`data_numpy.py ${command} failed (is python3-numpy installed?):\n${run.stderr}`);
  }
  expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('NumPy reader against numpy', () => {
  for (const name of ['mnist.npz', 'nhwc.npz', 'nchw.npz', 'flat.npz', 'pair']) {
    it(`imports ${name} as numpy wrote it`, async () => {
      const files = name === 'pair' ? [file('train_images.npy'), file('train_labels.npy')] : [file(name)];
      const want = expected[name]!;
      const { dataset, skipped } = await importDataSet(files);
      expect(skipped).toEqual([]);
      expect(dataset.source.kind).toBe('numpy');
      expect(dataset.shape).toEqual(want.shape);
      expect([...dataset.labels]).toEqual(want.labels);
      expect([...dataset.images]).toEqual(want.images);
      if (want.parts) expect(dataset.source.parts.map((p) => p.name)).toEqual(want.parts);
    });
  }

  it('names a cut-short .npy and refuses normalised images', async () => {
    expect(readdirSync(dir)).toContain('cut_x.npy');
    const cut = await importDataSet([file('cut_x.npy'), file('cut_y.npy')]).catch((e) => e);
    expect(cut).toBeInstanceOf(DataError);
    expect(cut.problem).toBe('truncated');
    expect(cut.file).toBe('cut_x.npy');
    const normalised = await importDataSet([file('normalised.npz')]).catch((e) => e);
    expect(normalised).toBeInstanceOf(DataError);
    expect(normalised.problem).toBe('badPixelRange');
    expect(normalised.message).toMatch(/^normalised\.npz: x\.npy: pixel values run from -/);
  });

  it('refuses a lone .npy with no labels', async () => {
    const lone = await importDataSet([file('train_images.npy')]).catch((e) => e);
    expect(lone.problem).toBe('missingPartner');
  });
});

describe('tar archives Python writes', () => {
  for (const format of ['gnu', 'pax']) {
    it(`reads CIFAR batches from a ${format.toUpperCase()} tar.gz with long member names`, async () => {
      const want = JSON.parse(readFileSync(join(dir, 'tar.json'), 'utf8'));
      const { dataset, skipped } = await importDataSet([file(`${format}.tar.gz`)]);
      expect(skipped).toEqual([]);
      expect([...dataset.labels]).toEqual(want.labels);
      expect([...dataset.images.subarray(0, 3072)]).toEqual(want.images);
      expect(dataset.classes[1]).toBe('car');
      expect(dataset.source.files).toEqual([`${format}.tar.gz: ${want.folder}data_batch_1.bin`]);
    });
  }
});

describe('geometry against torch', () => {
  let torch: Record<string, unknown>;
  beforeAll(() => {
    const run = spawnSync(PYTHON, [SCRIPT, 'geometry'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (run.status !== 0)
      throw new Error(`data_numpy.py geometry failed (python3-torch needed):\n${run.stderr}`);
    torch = JSON.parse(run.stdout);
  });

  const close = (actual: ArrayLike<number>, wanted: number[], tolerance = 1e-5) => {
    expect(actual.length).toBe(wanted.length);
    let worst = 0;
    for (let i = 0; i < wanted.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - wanted[i]!));
    expect(worst).toBeLessThan(tolerance);
  };

  it('enlarges as F.interpolate(bilinear) and shrinks by whole factors as F.interpolate(area)', () => {
    close(resizePlane(torch.small as number[], 5, 7, 9, 12), torch.bilinear as number[]);
    close(resizePlane(torch.large as number[], 8, 12, 4, 4), torch.area as number[]);
  });

  it('rotates as torchvision rotate, zooms and shifts as its affine (bilinear, fill 0), flips as hflip/vflip', () => {
    const image = Float32Array.from(torch.image as number[]);
    const shape: [number, number, number] = [2, 9, 11];
    const base: SampleParams = {
      flipX: false,
      flipY: false,
      angle: 0,
      zoom: 1,
      shiftX: 0,
      shiftY: 0,
      cropX: 0,
      cropY: 0,
      erase: { x: 0, y: 0, width: 0, height: 0 },
    };
    for (const c of torch.rotate as { angle: number; output: number[] }[])
      close(
        augmentWithParams(image, shape, [{ ...base, angle: (c.angle * Math.PI) / 180 }], {}, 0),
        c.output,
      );
    // NOTE: torchvision's F.affine turns clockwise for a positive angle (F.rotate counter-clockwise), hence the minus.
    for (const c of torch.affine as {
      angle: number;
      translate: number[];
      scale: number;
      output: number[];
    }[]) {
      const angle = (-c.angle * Math.PI) / 180;
      const params = { ...base, angle, zoom: c.scale, shiftX: c.translate[0]!, shiftY: c.translate[1]! };
      close(augmentWithParams(image, shape, [params], {}, 0), c.output);
    }
    close(augmentWithParams(image, shape, [{ ...base, flipX: true }], {}, 0), torch.hflip as number[], 1e-7);
    close(augmentWithParams(image, shape, [{ ...base, flipY: true }], {}, 0), torch.vflip as number[], 1e-7);
  });
});
