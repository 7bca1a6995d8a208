// PyTorch decides: a run folder's model.pt loads (weights_only=True) into a hand-written torch module, the
// checkpoint's optimizer state loads into torch.optim.Adam, and torch scores the holdout as the engine did.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpuBackend } from '../../engine/cpu/backend.ts';
import { gatherImages, gatherLabels } from '../../engine/data/dataset.ts';
import { hash32 } from '../../engine/data/random.ts';
import type { DataSet } from '../../engine/data/types.ts';
import { GraphBuilder } from '../../engine/graph/builder.ts';
import { prepareImages } from '../../engine/train/batches.ts';
import { encodeModel, encodeTrainingCheckpoint } from '../../engine/train/checkpoint.ts';
import { train } from '../../engine/train/loop.ts';
import { runSettings } from '../../engine/train/settings.ts';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./train_checkpoint.py', import.meta.url));
let dir = '';

beforeAll(() => {
  if (!existsSync(PYTHON))
    throw new Error(
      `PyTorch oracle: ${PYTHON} does not exist. Install Debian's python3-torch (apt-get install python3-torch); never pip.`,
    );
  dir = mkdtempSync(join(tmpdir(), 'nc-train-oracle-'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A NumPy .npy file (version 1.0, C order). */
function npy(descr: string, shape: number[], data: ArrayBufferView): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')},), }`;
  header += `${' '.repeat((64 - ((11 + header.length) % 64)) % 64)}\n`;
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

function bars(count: number): DataSet {
  const images = new Uint8Array(count * 64);
  const labels = new Int32Array(count);
  for (let n = 0; n < count; n++) {
    labels[n] = n % 3;
    const at = 1 + (hash32(n) % 6);
    for (let p = 0; p < 64; p++) {
      const [y, x] = [Math.floor(p / 8), p % 8];
      const on = n % 3 === 0 ? y === at : n % 3 === 1 ? x === at : (x + y) % 8 === at;
      images[n * 64 + p] = on ? 180 + (hash32(n * 64 + p) % 70) : hash32(n * 31 + p) % 90;
    }
  }
  return {
    images,
    labels,
    shape: [1, 8, 8],
    classes: ['h', 'v', 'd'],
    source: { kind: 'builtin', name: 'bars', files: [], parts: [] },
  };
}

describe('a run folder in torch 1.13', () => {
  it('loads model.pt and the optimizer state, and scores the holdout as the engine did', async () => {
    const b = new GraphBuilder();
    let x = b.layer('Input', { shape: [1, 8, 8] }, [], 'input');
    x = b.layer('Conv2d', { out_channels: 4, kernel_size: 3, padding: 1 }, [x], 'conv');
    x = b.layer('BatchNorm2d', { num_features: 4 }, [x], 'bn');
    x = b.layer('ReLU', {}, [x]);
    x = b.layer('MaxPool2d', { kernel_size: 2 }, [x], 'pool');
    x = b.layer('Flatten', {}, [x], 'flatten');
    x = b.layer('Linear', { out_features: 3 }, [x], 'fc');
    b.layer('Output', { num_classes: 3 }, [x], 'output');
    const dataset = bars(150);
    const settings = runSettings(null, {
      lr: 0.005,
      batch_size: 16,
      epochs: 2,
      validation_split: 0.3,
      seed: 9,
    });
    const result = await train({ backend: cpuBackend, graph: b.graph, dataset, settings });
    writeFileSync(join(dir, 'model.pt'), encodeModel(result.last));
    writeFileSync(join(dir, 'checkpoint.pt'), encodeTrainingCheckpoint(result.last));
    const holdout = result.split.holdout;
    const images = prepareImages(
      gatherImages(dataset, holdout),
      { shape: [1, 8, 8], augment: null, normalize: null },
      0,
    );
    writeFileSync(join(dir, 'holdout_x.npy'), npy('<f4', [holdout.length, 1, 8, 8], images));
    const labels = BigInt64Array.from(gatherLabels(dataset, holdout), (v) => BigInt(v));
    writeFileSync(join(dir, 'holdout_y.npy'), npy('<i8', [holdout.length], labels));

    const run = spawnSync(PYTHON, [SCRIPT, dir], { encoding: 'utf8' });
    if (run.status !== 0)
      throw new Error(`train_checkpoint.py failed (is python3-torch installed?):\n${run.stderr}`);
    const torch = JSON.parse(run.stdout);
    const last = result.epochs.at(-1)!;
    expect(torch.same_weights).toBe(true);
    expect(torch.accuracy).toBeCloseTo(last.validationAccuracy!, 6);
    expect(Math.abs(torch.loss - last.validationLoss!)).toBeLessThan(1e-5);
    expect(torch.adam_steps).toEqual([result.step]);
    expect(torch.lr).toBe(0.005);
    expect([torch.epoch, torch.step]).toEqual([2, result.step]);
  });
});
