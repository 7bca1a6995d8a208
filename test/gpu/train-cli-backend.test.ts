// `neurocanvas train` / `evaluate` and --backend on a real adapter: auto's choice and its one-line reason
// (SwiftShader here, so auto takes the CPU), and --backend gpu training with batches and the step guard on the
// device, written to metrics.json, with evaluate reading the weights back to the same accuracy on the device.
// Fails, not skips, without an adapter (--backend gpu then exits 2).

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.ts';
import { softwareAdapter } from '../../engine/gpu/device.ts';
import { writeBarsIdx, writeBarsProject } from '../support/bars.ts';
import { sharedRuntime } from './fixture.ts';

const gpu = sharedRuntime();
const root = mkdtempSync(join(tmpdir(), 'nc-cli-backend-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const data = join(root, 'idx');
writeBarsIdx(data, 90);
const project = writeBarsProject(root, 2);

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
