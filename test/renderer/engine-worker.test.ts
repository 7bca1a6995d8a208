// The engine worker's protocol in plain Node: the real host and client over a MessageChannel, the CPU backend
// (no GPU here, as in a browser without an adapter), the built-in digits from the asset on disk.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../engine/graph/builder.ts';
import type { Graph } from '../../engine/graph/types.ts';
import { readCheckpoint } from '../../engine/io/torch/read.ts';
import { decodeTrainingCheckpoint } from '../../engine/train/checkpoint.ts';
import { runSettings } from '../../engine/train/settings.ts';
import { connect } from '../../renderer/src/session/engine.ts';
import { createSessionStore } from '../../renderer/src/session/store.ts';
import { EngineError, type Port } from '../../renderer/src/worker/client.ts';
import { type HostPort, serveEngine } from '../../renderer/src/worker/host.ts';
import type { EngineEvent } from '../../renderer/src/worker/protocol.ts';

const ROOT = join(import.meta.dirname, '../..');
const NO_GPU = 'No GPU adapter found. Update the graphics driver.';

function open() {
  const { port1, port2 } = new MessageChannel();
  const session = serveEngine(port2 as unknown as HostPort, {
    openGpu: async () => {
      throw new Error(NO_GPU);
    },
    builtinMnist: async () => new Uint8Array(readFileSync(join(ROOT, 'engine/data/assets/mnist-10k.bin'))),
  });
  const store = createSessionStore();
  const client = connect(port1 as unknown as Port, store);
  const events: EngineEvent[] = [];
  client.onEvent((e) => events.push(e));
  const close = () => {
    client.terminate();
    port1.close();
    port2.close();
  };
  return { client, session, store, events, close };
}

/** 784 pixels -> Linear(10): trains in a second or two on the CPU. */
function linearGraph(): Graph {
  const b = new GraphBuilder();
  let x = b.layer('Input', { shape: [1, 28, 28] }, [], 'input');
  x = b.layer('Flatten', {}, [x], 'flatten');
  x = b.layer('Linear', { out_features: 10 }, [x], 'fc');
  b.layer('Output', { num_classes: 10 }, [x], 'output');
  return b.graph;
}

/** IDX files for `count` 4x4 images with labels 0-2. */
function idx(count: number): { images: Uint8Array; labels: Uint8Array } {
  const images = new Uint8Array(16 + count * 16);
  const view = new DataView(images.buffer);
  view.setUint32(0, 0x803);
  view.setUint32(4, count);
  view.setUint32(8, 4);
  view.setUint32(12, 4);
  for (let i = 16; i < images.length; i++) images[i] = (i * 37) % 256;
  const labels = new Uint8Array(8 + count);
  new DataView(labels.buffer).setUint32(0, 0x801);
  new DataView(labels.buffer).setUint32(4, count);
  for (let i = 0; i < count; i++) labels[8 + i] = i % 3;
  return { images, labels };
}

const engines: { close(): void }[] = [];
afterAll(() => {
  for (const e of engines) e.close();
});

describe('engine worker protocol', () => {
  const e = open();
  engines.push(e);
  const graph = linearGraph();

  it('falls back to the CPU and says why when there is no WebGPU adapter', async () => {
    const info = await e.client.call('engine.open', { prefer: 'gpu' });
    expect(info).toMatchObject({ backend: 'cpu', gpuAvailable: false, reason: NO_GPU });
  });

  it('loads the built-in digits with class counts and a preview of every class', async () => {
    const progress: number[] = [];
    const data = await e.client.call('data.builtin', {}, { onProgress: (f) => progress.push(f) });
    expect(data).toMatchObject({ count: 10000, shape: [1, 28, 28], kind: 'builtin' });
    expect(data.classCounts.reduce((a, b) => a + b, 0)).toBe(10000);
    expect(data.preview).toHaveLength(30);
    expect(new Set(data.preview.map((i) => Math.floor(i / 1000))).size).toBeGreaterThan(5);
    expect(progress.at(-1)).toBe(1);
    const block = await e.client.call('data.samples', { indices: [0, 5, 99999] });
    expect(block.count).toBe(2);
    expect(block.bytes).toHaveLength(2 * 784);
  });

  it('augments the same samples the same way for one key, and differently for another', async () => {
    const options = { rotation: { degrees: 30 }, noise: 0.1 };
    const a = await e.client.call('data.augment', { indices: [1, 2], options, key: 7 });
    const b = await e.client.call('data.augment', { indices: [1, 2], options, key: 7 });
    const c = await e.client.call('data.augment', { indices: [1, 2], options, key: 8 });
    expect(a.floats).toEqual(b.floats);
    expect(a.floats).not.toEqual(c.floats);
  });

  it('trains with step, epoch and gallery events, then inspects and exports the trained weights', async () => {
    e.events.length = 0;
    const settings = runSettings(null, { epochs: 1, batch_size: 100, lr: 0.01, validation_split: 0.1 });
    const outcome = await e.client.call('train.start', { graph, settings, initial: true });
    expect(outcome.reason).toBe('completed');
    const steps = e.events.flatMap((ev) => (ev.type === 'train.steps' ? ev.steps : []));
    expect(steps).toHaveLength(90);
    const epoch = e.events.find((ev) => ev.type === 'train.epoch');
    expect(epoch?.type === 'train.epoch' && epoch.metrics.validationAccuracy).toBeGreaterThan(0.8);
    const gallery = e.events.find((ev) => ev.type === 'train.gallery');
    expect(gallery?.type === 'train.gallery' && gallery.gallery.looked).toBe(999);
    // The store saw the same run.
    expect(e.store.getState().run.steps).toHaveLength(90);
    expect(e.store.getState().run.gallery?.predictions.length).toBeGreaterThan(10);

    const seen = await e.client.call('inspect', {
      graph,
      node: 'flatten',
      sample: 3,
      watch: false,
      every: 5,
    });
    expect(seen.output?.shape).toEqual([784]);
    expect(seen.weights).toBe('trained');
    const fc = seen.layers.find((l) => l.node === 'fc');
    expect(fc?.weights?.counts.reduce((a, b) => a + b, 0)).toBe(7840);
    // The gradients of the run's last step, read before its program was freed.
    expect(fc?.gradients?.counts.reduce((a, b) => a + b, 0)).toBe(7840);

    const pt = await e.client.call('export', { graph, kind: 'pt', className: 'Linear', settings });
    const { stateDict } = await readCheckpoint(pt);
    expect([...stateDict.keys()]).toEqual(['fc.weight', 'fc.bias']);
    const checkpoint = await e.client.call('export', { graph, kind: 'checkpoint', className: 'L', settings });
    expect((await decodeTrainingCheckpoint(checkpoint)).step).toBe(90);
    const code = new TextDecoder().decode(
      await e.client.call('export', { graph, kind: 'py', className: 'Digits', settings }),
    );
    expect(code).toContain('class Digits(nn.Module)');
  });

  it('pauses, resumes and stops a run between steps, with gradients read while it is paused', async () => {
    e.events.length = 0;
    const settings = runSettings(null, { epochs: 3, batch_size: 50, lr: 0.01 });
    const run = e.client.call('train.start', { graph, settings, initial: true });
    await expect.poll(() => e.events.some((ev) => ev.type === 'train.steps'), { timeout: 20_000 }).toBe(true);
    // The pause takes effect after the step in progress; the phase event says when.
    expect(await e.client.call('train.control', { action: 'pause' })).toBe('training');
    await expect
      .poll(() => e.events.some((ev) => ev.type === 'train.phase' && ev.phase === 'paused'))
      .toBe(true);
    const paused = e.store.getState().run.steps.length;
    await new Promise((r) => setTimeout(r, 200));
    expect(e.store.getState().run.steps.length).toBe(paused);
    const inspection = await e.client.call('inspect', {
      graph,
      node: 'fc',
      sample: 0,
      watch: true,
      every: 1,
    });
    expect(inspection.layers.find((l) => l.node === 'fc')?.gradients).not.toBeNull();
    expect(await e.client.call('train.control', { action: 'resume' })).toBe('training');
    await expect.poll(() => e.store.getState().run.steps.length).toBeGreaterThan(paused + 2);
    await e.client.call('train.control', { action: 'stop' });
    const outcome = await run;
    expect(outcome.reason).toBe('stopped');
    expect(e.events.some((ev) => ev.type === 'inspect.update')).toBe(true);
    await e.client.call('inspect.unwatch', {});
  });

  it('loads weights strictly or what fits, with the report', async () => {
    const settings = runSettings(null);
    const pt = await e.client.call('export', { graph, kind: 'pt', className: 'L', settings });
    const other = new GraphBuilder();
    let x = other.layer('Input', { shape: [1, 28, 28] }, [], 'input');
    x = other.layer('Flatten', {}, [x], 'flatten');
    x = other.layer('Linear', { out_features: 32 }, [x], 'hidden');
    x = other.layer('Linear', { out_features: 10 }, [x], 'fc');
    other.layer('Output', { num_classes: 10 }, [x], 'output');
    const strict = await e.client.call('weights.load', {
      graph: other.graph,
      bytes: pt.slice(),
      name: 'm.pt',
      strict: true,
    });
    expect(strict.ok).toBe(false);
    expect(strict.text).toContain('fc.weight: the network needs 10 x 32, the file has 10 x 784');
    const loose = await e.client.call('weights.load', {
      graph: other.graph,
      bytes: pt,
      name: 'm.pt',
      strict: false,
    });
    expect(loose).toMatchObject({ ok: true, loaded: 1 }); // fc.bias fits, fc.weight does not
    const same = await e.client.call('export', { graph, kind: 'pt', className: 'L', settings });
    expect((await e.client.call('weights.load', { graph, bytes: same, name: 'm.pt', strict: true })).ok).toBe(
      true,
    );
  });

  it('imports IDX files with progress, fits them to another size, and refuses a second run', async () => {
    const { images, labels } = idx(30);
    const data = await e.client.call('data.import', {
      files: [
        { path: 'train-images-idx3-ubyte', bytes: images.buffer as ArrayBuffer },
        { path: 'train-labels-idx1-ubyte', bytes: labels.buffer as ArrayBuffer },
      ],
      name: 'tiny',
    });
    expect(data).toMatchObject({ count: 30, shape: [1, 4, 4], classCounts: [10, 10, 10] });
    const fitted = await e.client.call('data.fit', { shape: [3, 8, 8] });
    expect(fitted).toMatchObject({ shape: [3, 8, 8], originalShape: [1, 4, 4] });
    await expect(
      e.client.call('inspect', { graph, node: 'fc', sample: 0, watch: false, every: 1 }),
    ).rejects.toThrow(/3 x 8 x 8 but the Input takes 1 x 28 x 28/);
  });

  it('rejects a cancelled call with a cancelled error, and unknown data with a readable one', async () => {
    const abort = new AbortController();
    const call = e.client.call(
      'data.import',
      { files: [{ path: 'notes.bin', bytes: new Uint8Array(64).buffer }], name: 'x' },
      { signal: abort.signal },
    );
    abort.abort();
    const error = await call.catch((err: unknown) => err);
    expect(error).toBeInstanceOf(EngineError);
    expect(
      (error as EngineError).cancelled || /no supported data format/.test((error as Error).message),
    ).toBe(true);
    await expect(
      e.client.call('data.import', {
        files: [{ path: 'notes.bin', bytes: new Uint8Array(64).buffer }],
        name: 'x',
      }),
    ).rejects.toThrow(/no supported data format recognised/);
  });
});
