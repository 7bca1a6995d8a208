// The training loop on the CPU backend: exact resume (after an epoch and mid-epoch), the NaN guard and its last
// good checkpoint, early stopping, target accuracy, full holdout evaluation, and the checkpoint file round trip.

import { describe, expect, it } from 'vitest';
import { cpuBackend } from '../../engine/cpu/backend.ts';
import { hash32 } from '../../engine/data/random.ts';
import type { DataSet } from '../../engine/data/types.ts';
import { GraphBuilder } from '../../engine/graph/builder.ts';
import type { Graph } from '../../engine/graph/types.ts';
import { toNumbers } from '../../engine/io/tensor.ts';
import {
  decodeTrainingCheckpoint,
  encodeTrainingCheckpoint,
  type TrainingSnapshot,
} from '../../engine/train/checkpoint.ts';
import { TrainingControl } from '../../engine/train/control.ts';
import { type TrainOptions, type TrainResult, train } from '../../engine/train/loop.ts';
import type { EpochMetrics } from '../../engine/train/metrics.ts';
import { type RunSettings, runSettings } from '../../engine/train/settings.ts';

/**
 * Conv + BatchNorm (so running statistics are part of the state) + Linear on 1x8x8 images, 3 classes; with
 * `dropout`, a Dropout before the Linear (so the step's random key matters).
 */
function tinyGraph(dropout = 0): Graph {
  const b = new GraphBuilder();
  let x = b.layer('Input', { shape: [1, 8, 8] }, [], 'input');
  x = b.layer('Conv2d', { out_channels: 4, kernel_size: 3, padding: 1 }, [x], 'conv');
  x = b.layer('BatchNorm2d', { num_features: 4 }, [x], 'bn');
  x = b.layer('ReLU', {}, [x]);
  x = b.layer('MaxPool2d', { kernel_size: 2 }, [x], 'pool');
  x = b.layer('Flatten', {}, [x], 'flatten');
  if (dropout) x = b.layer('Dropout', { p: dropout }, [x], 'drop');
  x = b.layer('Linear', { out_features: 3 }, [x], 'fc');
  b.layer('Output', { num_classes: 3 }, [x], 'output');
  return b.graph;
}

/** 3 classes of 8x8 bars (horizontal, vertical, diagonal) with hashed noise; `count` samples. */
function barData(count: number): DataSet {
  const images = new Uint8Array(count * 64);
  const labels = new Int32Array(count);
  for (let n = 0; n < count; n++) {
    const label = n % 3;
    labels[n] = label;
    const at = 1 + (hash32(n) % 6);
    for (let y = 0; y < 8; y++)
      for (let x = 0; x < 8; x++) {
        const on = label === 0 ? y === at : label === 1 ? x === at : (x + y) % 8 === at;
        images[n * 64 + y * 8 + x] = on
          ? 200 + (hash32(n * 64 + y * 8 + x) % 56)
          : hash32(n * 977 + y * 8 + x) % 60;
      }
  }
  const source = { kind: 'builtin' as const, name: 'bars', files: [], parts: [] };
  return { images, labels, shape: [1, 8, 8], classes: ['h', 'v', 'd'], source };
}

const graph = tinyGraph();
const data = barData(110);

function settings(overrides: Partial<RunSettings>): RunSettings {
  return runSettings(null, {
    optimizer: 'adam',
    lr: 0.01,
    batch_size: 8,
    epochs: 2,
    seed: 5,
    validation_split: 0.2,
    ...overrides,
  });
}

async function run(s: RunSettings, extra: Partial<TrainOptions> = {}) {
  const snapshots: TrainingSnapshot[] = [];
  const result = await train({
    backend: cpuBackend,
    graph: extra.graph ?? graph,
    dataset: data,
    settings: s,
    ...extra,
    onCheckpoint: (snap) => {
      snapshots.push(snap);
    },
  });
  return { result, snapshots };
}

/** Epoch metrics without the wall-clock fields. */
const timeless = (epochs: EpochMetrics[]) => epochs.map(({ seconds, imagesPerSecond, ...rest }) => rest);

function expectSameState(a: TrainingSnapshot, b: TrainingSnapshot): void {
  expect([...a.model.keys()]).toEqual([...b.model.keys()]);
  for (const [key, t] of a.model) expect(toNumbers(b.model.get(key)!), key).toEqual(toNumbers(t));
  expect(b.optimizer.kind).toBe(a.optimizer.kind);
  expect(b.optimizer.state.length).toBe(a.optimizer.state.length);
  for (const [i, entry] of a.optimizer.state.entries()) {
    const other = b.optimizer.state[i] as Record<string, unknown> | null;
    if (!entry) {
      expect(other).toBeNull();
      continue;
    }
    for (const [name, value] of Object.entries(entry)) {
      const mine = value as { data?: unknown } | number | null;
      const theirs = other![name] as typeof mine;
      if (mine && typeof mine === 'object' && 'data' in mine)
        expect(toNumbers(theirs as never), `optimizer ${i}.${name}`).toEqual(toNumbers(mine as never));
      else expect(theirs, `optimizer ${i}.${name}`).toEqual(mine);
    }
  }
  expect(b.generator).toEqual(a.generator);
  expect(b.step).toBe(a.step);
  expect(b.epoch).toBe(a.epoch);
}

describe('resume', () => {
  const cases: [string, Partial<RunSettings>][] = [
    [
      'adam, cosine with warm-up, augmentation, clipping',
      {
        schedule: { kind: 'cosine', eta_min: 0 },
        warmup: { steps: 4, start_factor: 0.1 },
        augment: { horizontalFlip: 0.5, rotation: { degrees: 10 }, noise: 0.02 },
        clip_grad_norm: 1,
      },
    ],
    [
      'sgd with momentum, step schedule, dataset normalisation',
      {
        optimizer: 'sgd',
        momentum: 0.9,
        lr: 0.05,
        schedule: { kind: 'step', step_size: 1, gamma: 0.5 },
        normalize: 'dataset',
      },
    ],
  ];

  for (const [name, overrides] of cases)
    it(`after epoch 1 of 2 equals the uninterrupted run bit for bit (${name})`, async () => {
      const s = settings(overrides);
      const straight = await run(s);
      expect(straight.result.reason).toBe('completed');
      expect(straight.snapshots.map((x) => [x.reason, x.epoch])).toEqual([
        ['epoch', 1],
        ['final', 2],
      ]);
      // Through the file format, as the CLI resumes.
      const saved = await decodeTrainingCheckpoint(encodeTrainingCheckpoint(straight.snapshots[0]!));
      expect(saved.history).toEqual(straight.snapshots[0]!.history);
      const resumed = await run(saved.settings, { resume: saved });
      expect(resumed.result.reason).toBe('completed');
      expectSameState(straight.result.last, resumed.result.last);
      expect(timeless(resumed.result.epochs)).toEqual(timeless(straight.result.epochs));
    });

  it('with dropout: masks follow the step, so a resumed run draws the same ones', async () => {
    const s = settings({ lr: 0.02 });
    const withDropout = { graph: tinyGraph(0.5) };
    const straight = await run(s, withDropout);
    const saved = await decodeTrainingCheckpoint(encodeTrainingCheckpoint(straight.snapshots[0]!));
    const resumed = await run(saved.settings, { ...withDropout, resume: saved });
    expectSameState(straight.result.last, resumed.result.last);
    expect(timeless(resumed.result.epochs)).toEqual(timeless(straight.result.epochs));
    // Dropout changes training: the same run without it ends elsewhere.
    const plain = await run(s, { graph: tinyGraph(0) });
    expect(toNumbers(plain.result.last.model.get('fc.weight')!)).not.toEqual(
      toNumbers(straight.result.last.model.get('fc.weight')!),
    );
  });

  it('from a stop in the middle of an epoch equals the uninterrupted run', async () => {
    const s = settings({ augment: { translate: 1, erase: { probability: 0.5 } } });
    const straight = await run(s);
    const control = new TrainingControl();
    const stopped = await run(s, {
      control,
      onStep: (m) => {
        if (m.step === 13) control.stop();
      },
    });
    expect(stopped.result.reason).toBe('stopped');
    expect(stopped.result.message).toMatch(/epoch 2, step 2 of 11/);
    const snap = await decodeTrainingCheckpoint(encodeTrainingCheckpoint(stopped.result.last));
    expect(snap.progress.steps).toBe(2);
    const resumed = await run(snap.settings, { resume: snap });
    expectSameState(straight.result.last, resumed.result.last);
    expect(timeless(resumed.result.epochs)).toEqual(timeless(straight.result.epochs));
  });
});

describe('non-finite loss', () => {
  it('stops naming the epoch and step, and keeps the weights from before that step', async () => {
    const s = settings({ optimizer: 'sgd', lr: 1e10, momentum: 0, epochs: 3, checkpoint_every: 1 });
    const steps: number[] = [];
    const { result, snapshots } = await run(s, { onStep: (m) => steps.push(m.loss) });
    expect(result.reason).toBe('nonFinite');
    const bad = result.step + 1;
    const epoch = Math.floor(result.step / 11) + 1;
    const inEpoch = result.step - (epoch - 1) * 11 + 1;
    expect(result.message).toContain(`at epoch ${epoch}, step ${inEpoch} of 11 (step ${bad} of the run)`);
    expect(result.message).toMatch(/loss became (NaN|infinite)/);
    expect(steps.every(Number.isFinite)).toBe(true);
    const last = snapshots.at(-1)!;
    expect(last.reason).toBe('nonFinite');
    expect(last.step).toBe(result.step);
    // The same run stopped by hand just before the bad step holds the same weights and running statistics.
    const control = new TrainingControl();
    const before = await run(s, {
      control,
      onStep: (m) => {
        if (m.step === result.step) control.stop();
      },
    });
    expectSameState(before.result.last, last);
  });
});

describe('stopping rules', () => {
  it('early stopping ends a run whose validation loss stops improving', async () => {
    const { result } = await run(
      settings({ lr: 1e-9, epochs: 10, early_stopping: { patience: 2, min_delta: 0.05 } }),
    );
    expect(result.reason).toBe('earlyStopping');
    expect(result.epochs.length).toBe(3);
    expect(result.message).toMatch(/has not improved for 2 epochs \(best .* after epoch 1\)/);
    expect(result.last.reason).toBe('final');
  });

  it('a target accuracy ends the run at the first epoch that reaches it', async () => {
    const { result } = await run(settings({ lr: 0.02, epochs: 30, target_accuracy: 0.95 }));
    expect(result.reason).toBe('targetAccuracy');
    const accuracies = result.epochs.map((e) => e.validationAccuracy!);
    expect(accuracies.at(-1)).toBeGreaterThanOrEqual(0.95);
    expect(accuracies.slice(0, -1).every((a) => a < 0.95)).toBe(true);
    expect(result.epochs.length).toBeLessThan(30);
  });
});

describe('validation', () => {
  it('covers every holdout image, the last partial batch included', async () => {
    const { result } = await run(settings({ epochs: 1, batch_size: 8 }));
    const holdout = result.split.holdout.length;
    expect(holdout % 8).not.toBe(0);
    const epoch = result.epochs[0]!;
    expect(epoch.validationSamples).toBe(holdout);
    expect(epoch.confusion!.flat().reduce((a, b) => a + b, 0)).toBe(holdout);
    const correct = epoch.confusion!.reduce((sum, row, i) => sum + row[i]!, 0);
    expect(epoch.validationAccuracy).toBe(correct / holdout);
    // Training drops its last partial batch: 89 training images make 11 full batches of 8.
    expect(result.split.train.length).toBe(89);
    expect(epoch.step).toBe(11);
  });

  it('a run is repeated exactly by its seed, and another seed differs', async () => {
    const a = (await run(settings({ epochs: 1 }))).result;
    const b = (await run(settings({ epochs: 1 }))).result;
    const c = (await run(settings({ epochs: 1, seed: 6 }))).result;
    expectSameState(a.last, b.last);
    expect(timeless(a.epochs)).toEqual(timeless(b.epochs));
    expect(toNumbers(c.last.model.get('fc.weight')!)).not.toEqual(toNumbers(a.last.model.get('fc.weight')!));
  });
});

describe('training checkpoint file', () => {
  it('round-trips every part of a snapshot', async () => {
    const { result }: { result: TrainResult } = await run(settings({ epochs: 1, normalize: 'dataset' }));
    const back = await decodeTrainingCheckpoint(encodeTrainingCheckpoint(result.last));
    expectSameState(result.last, back);
    expect(back.settings).toEqual(result.last.settings);
    expect(back.history).toEqual(result.last.history);
    expect(back.progress).toEqual(result.last.progress);
    expect(back.reason).toBe('final');
    expect(result.normalize!.mean[0]).toBeGreaterThan(0);
  });
});
