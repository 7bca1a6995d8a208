// The app's exports in real PyTorch: LeNet-5 trained one epoch through the app's engine worker (CPU backend, as in
// a browser without WebGPU), its .pt loaded strictly into its model.py, same holdout accuracy as the app showed.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { pythonClassName } from '../../engine/io/export.ts';
import { parseProject } from '../../engine/io/project/project.ts';
import { runSettings } from '../../engine/train/settings.ts';
import { connect } from '../../renderer/src/session/engine.ts';
import { createSessionStore } from '../../renderer/src/session/store.ts';
import type { Port } from '../../renderer/src/worker/client.ts';
import { type HostPort, serveEngine } from '../../renderer/src/worker/host.ts';
import { torchAccuracy, writeMnistHoldout } from './app-export-check.ts';

const ROOT = join(import.meta.dirname, '../..');
const { port1, port2 } = new MessageChannel();
serveEngine(port2 as unknown as HostPort, {
  openGpu: async () => {
    throw new Error('no GPU in this test');
  },
  builtinMnist: async () => new Uint8Array(readFileSync(join(ROOT, 'engine/data/assets/mnist-10k.bin'))),
});
const client = connect(port1 as unknown as Port, createSessionStore());
afterAll(() => {
  client.terminate();
  port1.close();
  port2.close();
});

describe('app export in PyTorch', () => {
  it('loads the trained LeNet-5 state_dict into the exported model.py with the accuracy the app showed', async () => {
    const project = parseProject(readFileSync(join(ROOT, 'templates/lenet5.json'), 'utf8'));
    await client.call('engine.open', { prefer: 'cpu' });
    await client.call('data.builtin', {});
    const settings = runSettings(project.training, { epochs: 1, batch_size: 64 });
    const outcome = await client.call('train.start', { graph: project.graph, settings, initial: true });
    const shown = outcome.epochs[0]!;
    expect(shown.validationAccuracy).toBeGreaterThan(0.85);

    const dir = join(tmpdir(), `nc-app-export-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    const className = pythonClassName(project.name);
    const pt = await client.call('export', { graph: project.graph, kind: 'pt', className, settings });
    const py = await client.call('export', { graph: project.graph, kind: 'py', className, settings });
    writeFileSync(join(dir, 'lenet-5.pt'), pt);
    writeFileSync(join(dir, 'model.py'), py);
    const holdout = writeMnistHoldout(dir, settings.validation_split, settings.seed);
    const torch = torchAccuracy(
      join(dir, 'model.py'),
      className,
      join(dir, 'lenet-5.pt'),
      holdout,
      [1, 28, 28],
    );
    expect(torch.missing).toEqual([]);
    expect(torch.unexpected).toEqual([]);
    expect(torch.samples).toBe(shown.validationSamples);
    // Float rounding may tip a sample that sits on the boundary between two classes; no more than that.
    expect(Math.abs(torch.correct - shown.validationAccuracy! * shown.validationSamples)).toBeLessThanOrEqual(
      1,
    );
  });
});
