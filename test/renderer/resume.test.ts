// Exact resume in the app: a run stopped mid-epoch, exported as a full training checkpoint and resumed in a fresh
// engine worker (a new session, as after restarting the app), ends with the same weights, bit for bit, and the same
// metrics as the same run left alone. The real host and client over a MessageChannel, the CPU backend.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../engine/graph/builder.ts';
import type { Graph } from '../../engine/graph/types.ts';
import { decodeTrainingCheckpoint } from '../../engine/train/checkpoint.ts';
import { type RunSettings, runSettings } from '../../engine/train/settings.ts';
import { connect } from '../../renderer/src/session/engine.ts';
import { createSessionStore, IDLE_RUN } from '../../renderer/src/session/store.ts';
import type { Port } from '../../renderer/src/worker/client.ts';
import { type HostPort, serveEngine } from '../../renderer/src/worker/host.ts';
import type { EngineEvent } from '../../renderer/src/worker/protocol.ts';
import { resumeSettings } from '../../renderer/src/worker/training.ts';

const ROOT = join(import.meta.dirname, '../..');
const opened: (() => void)[] = [];
afterAll(() => {
  for (const close of opened) close();
});

/** A fresh engine worker with the built-in digits loaded, and a session store fed by its events. */
async function engine() {
  const { port1, port2 } = new MessageChannel();
  serveEngine(port2 as unknown as HostPort, {
    openGpu: async () => {
      throw new Error('no GPU in this test');
    },
    builtinMnist: async () => new Uint8Array(readFileSync(join(ROOT, 'engine/data/assets/mnist-10k.bin'))),
  });
  const store = createSessionStore();
  const client = connect(port1 as unknown as Port, store);
  const events: EngineEvent[] = [];
  client.onEvent((e) => events.push(e));
  opened.push(() => {
    client.terminate();
    port1.close();
    port2.close();
  });
  await client.call('engine.open', { prefer: 'cpu' });
  await client.call('data.builtin', {});
  return { client, store, events };
}

/** 784 pixels -> Linear(32) -> ReLU -> Dropout -> Linear(10): small, but with every kind of state to restore. */
function graph(): Graph {
  const b = new GraphBuilder();
  let x = b.layer('Input', { shape: [1, 28, 28] }, [], 'input');
  x = b.layer('Flatten', {}, [x], 'flatten');
  x = b.layer('Linear', { out_features: 32 }, [x], 'fc1');
  x = b.layer('ReLU', {}, [x], 'relu');
  x = b.layer('Dropout', { p: 0.2 }, [x], 'drop');
  x = b.layer('Linear', { out_features: 10 }, [x], 'fc2');
  b.layer('Output', { num_classes: 10 }, [x], 'output');
  return b.graph;
}

/** Adam with a one-cycle schedule, augmentation and dataset normalisation: optimizer, schedule and generators. */
const settings: RunSettings = runSettings(null, {
  epochs: 2,
  batch_size: 64,
  optimizer: 'adam',
  lr: 0.003,
  seed: 7,
  validation_split: 0.1,
  schedule: { kind: 'onecycle', pct_start: 0.3, div_factor: 25, final_div_factor: 1e4 },
  augment: { horizontalFlip: 0.5, translate: 2, noise: 0.05 },
  normalize: 'dataset',
});

describe('resuming a saved training checkpoint in the app', () => {
  const g = graph();

  it('continues exactly: the same weights and metrics as the run that was never stopped', async () => {
    // 1. The run left alone.
    const whole = await engine();
    const done = await whole.client.call('train.start', { graph: g, settings, initial: true });
    expect(done.reason).toBe('completed');
    const expected = await whole.client.call('weights.snapshot', { graph: g });

    // 2. The same run stopped part-way through the first epoch, its checkpoint exported.
    const first = await engine();
    const running = first.client.call('train.start', { graph: g, settings, initial: true });
    await expect
      .poll(() => first.store.getState().run.steps.length, { timeout: 60_000, interval: 5 })
      .toBeGreaterThan(20);
    await first.client.call('train.control', { action: 'stop' });
    const stopped = await running;
    expect(stopped.reason).toBe('stopped');
    const checkpoint = await first.client.call('export', {
      graph: g,
      kind: 'checkpoint',
      className: 'Net',
      settings,
    });
    const saved = await decodeTrainingCheckpoint(checkpoint);
    expect(saved.epoch).toBe(0);
    expect(saved.progress.steps).toBe(stopped.step);
    expect(stopped.step).toBeLessThan(140);

    // 3. A fresh worker (the app opened again) resumes it.
    const second = await engine();
    second.store.setState({
      run: {
        ...IDLE_RUN,
        status: 'starting',
        resumedFrom: { name: 'net.checkpoint.pt', epoch: 0, step: 0, epochStep: 0, history: [] },
      },
    });
    const resumed = await second.client.call('train.start', {
      graph: g,
      settings,
      initial: true,
      resume: checkpoint,
    });
    expect(resumed.reason).toBe('completed');
    expect(resumed.step).toBe(done.step);
    const got = await second.client.call('weights.snapshot', { graph: g });
    expect(Buffer.from(got.stateDict).equals(Buffer.from(expected.stateDict))).toBe(true);

    // The metrics of both epochs are the uninterrupted run's (the first epoch's spans the stop).
    expect(resumed.epochs.map((e) => [e.trainLoss, e.validationLoss, e.validationAccuracy])).toEqual(
      done.epochs.map((e) => [e.trainLoss, e.validationLoss, e.validationAccuracy]),
    );
    // The session saw where it picked up and went on from the next step.
    const run = second.store.getState().run;
    expect(run.resumedFrom).toMatchObject({
      name: 'net.checkpoint.pt',
      epoch: 0,
      step: stopped.step,
      epochStep: stopped.step,
    });
    expect(run.steps[0]?.step).toBe(stopped.step + 1);
    expect(run.settings?.seed).toBe(7);
    const resumedEvent = second.events.find((e) => e.type === 'train.resumed');
    expect(resumedEvent?.type === 'train.resumed' && resumedEvent.resumed.settings.augment).toEqual(
      settings.augment,
    );
  }, 240_000);

  it('takes the epochs and stop rules from the Training tab, and says when the checkpoint is already done', async () => {
    const whole = await engine();
    const oneEpoch = { ...settings, epochs: 1 };
    await whole.client.call('train.start', { graph: g, settings: oneEpoch, initial: true });
    const checkpoint = await whole.client.call('export', {
      graph: g,
      kind: 'checkpoint',
      className: 'Net',
      settings: oneEpoch,
    });
    const snapshot = await decodeTrainingCheckpoint(checkpoint);
    const asked = { ...settings, epochs: 3, seed: 99, target_accuracy: 0.5, lr: 1 };
    const next = resumeSettings(snapshot, asked);
    // The checkpoint's own run (seed, learning rate...) with the epochs and stop rules asked for now.
    expect(next).toMatchObject({ epochs: 3, seed: 7, lr: 0.003, target_accuracy: 0.5 });
    expect(() => resumeSettings(snapshot, oneEpoch)).toThrow(
      'The checkpoint has already trained 1 epoch: set Epochs above 1 to train on from it.',
    );
    await expect(
      whole.client.call('train.start', { graph: g, settings: oneEpoch, initial: true, resume: checkpoint }),
    ).rejects.toThrow('already trained 1 epoch');
  }, 120_000);
});
