// `neurocanvas train` / `evaluate` and --backend on a real adapter: auto's choice and its one-line reason
// (SwiftShader here, so auto takes the CPU), and --backend gpu training with batches and the step guard on the
// device, written to metrics.json, with evaluate reading the weights back to the same accuracy on the device.
// Fails, not skips, without an adapter (--backend gpu then exits 2).

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.ts';
import { hash32 } from '../../engine/data/random.ts';
import { softwareAdapter } from '../../engine/gpu/device.ts';
import { GraphBuilder } from '../../engine/graph/builder.ts';
import { newProject, serializeProject } from '../../engine/io/project/project.ts';
import { sharedRuntime } from './fixture.ts';

const gpu = sharedRuntime();
const root = mkdtempSync(join(tmpdir(), 'nc-cli-backend-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** IDX files of `n` 8x8 images of three bar directions, labels 0-2. */
function writeBars(dir: string, n: number): void {
  mkdirSync(dir, { recursive: true });
  const images = new Uint8Array(16 + n * 64);
  const labels = new Uint8Array(8 + n);
  const head = new DataView(images.buffer);
  for (const [i, v] of [0x803, n, 8, 8].entries()) head.setUint32(4 * i, v);
  new DataView(labels.buffer).setUint32(0, 0x801);
  new DataView(labels.buffer).setUint32(4, n);
  for (let i = 0; i < n; i++) {
    const label = i % 3;
    labels[8 + i] = label;
    const at = 1 + (hash32(i) % 6);
    for (let y = 0; y < 8; y++)
      for (let x = 0; x < 8; x++) {
        const on = label === 0 ? y === at : label === 1 ? x === at : (x + y) % 8 === at;
        images[16 + i * 64 + y * 8 + x] = on ? 220 : hash32(i * 64 + y * 8 + x) % 50;
      }
  }
  writeFileSync(join(dir, 'train-images-idx3-ubyte'), images);
  writeFileSync(join(dir, 'train-labels-idx1-ubyte'), labels);
}

function writeProject(): string {
  const b = new GraphBuilder();
  let x = b.layer('Input', { shape: [1, 8, 8] }, [], 'input');
  x = b.layer('Conv2d', { out_channels: 4, kernel_size: 3, padding: 1 }, [x], 'conv');
  x = b.layer('ReLU', {}, [x]);
  x = b.layer('MaxPool2d', { kernel_size: 2 }, [x], 'pool');
  x = b.layer('Flatten', {}, [x], 'flatten');
  x = b.layer('Linear', { out_features: 3 }, [x], 'fc');
  b.layer('Output', { num_classes: 3 }, [x], 'output');
  const training = {
    optimizer: 'adam' as const,
    lr: 0.01,
    momentum: 0.9,
    weight_decay: 0,
    batch_size: 8,
    epochs: 2,
    seed: 1,
    validation_split: 0.2,
  };
  const file = join(root, 'bars.json');
  writeFileSync(file, serializeProject(newProject('Bars', b.graph, { training })));
  return file;
}

const data = join(root, 'idx');
writeBars(data, 90);
const project = writeProject();

async function cli(argv: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await main(argv, (line) => lines.push(line));
  return { code, lines };
}

describe('--backend on a real adapter', () => {
  it('auto picks the CPU on a software adapter and the GPU on a hardware one, and says why', async () => {
    const info = (await gpu()).info();
    const run = await cli(['train', project, '--data', data, '--epochs', '1', '--out', join(root, 'auto')]);
    expect(run.code, run.lines.join('\n')).toBe(0);
    const line = run.lines.find((l) => l.startsWith('backend '))!;
    if (softwareAdapter(info))
      expect(line).toBe(
        `backend cpu (auto: ${softwareAdapter(info)}; the CPU backend is faster there; --backend gpu forces it)`,
      );
    else expect(line).toBe(`backend webgpu (${info.label}) (auto: a hardware GPU adapter)`);
  });

  it('--backend gpu trains with batches and the guard on the device; evaluate agrees on the device', async () => {
    const out = join(root, 'gpu');
    const run = await cli([
      'train',
      project,
      '--data',
      data,
      '--augment',
      'flip=0.3,rotate=10',
      '--clip',
      '1',
      '--backend',
      'gpu',
      '--out',
      out,
    ]);
    expect(run.code, run.lines.join('\n')).toBe(0);
    const path = 'batches on the GPU; NaN guard, clipping and metrics on the GPU, read back every few steps';
    expect(run.lines).toContain(`data path: ${path}`);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.backend.dataPath).toBe(path);
    expect(metrics.steps.length).toBe(2 * 9);
    const accuracy = metrics.epochs[1].validation_accuracy;
    const evaluated = await cli([
      'evaluate',
      project,
      '--weights',
      join(out, 'model.pt'),
      '--data',
      data,
      '--backend',
      'gpu',
    ]);
    expect(evaluated.code, evaluated.lines.join('\n')).toBe(0);
    const shown = Number(/accuracy (\d+\.\d+)%/.exec(evaluated.lines.join('\n'))![1]);
    expect(shown).toBeCloseTo(accuracy * 100, 2);
  });
});
