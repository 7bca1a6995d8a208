// The training loop's device path on WebGPU (engine/train/steppers.ts, data-path.ts): batches prepared on the
// device and steps read back every few steps give the losses, data order and weights of the host path; a NaN
// is still caught at its exact step with the last good weights kept; clipping on the device matches the CPU
// loop; and a printed images/s figure for LeNet-5. Fails, not skips, without an adapter.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cpuBackend } from '../../engine/cpu/backend.ts';
import { decodeBuiltinMnist } from '../../engine/data/builtin.ts';
import type { DataSet } from '../../engine/data/types.ts';
import { GraphBuilder } from '../../engine/graph/builder.ts';
import { toNumbers } from '../../engine/io/tensor.ts';
import { makeBatch } from '../../engine/train/batches.ts';
import type { TrainingSnapshot } from '../../engine/train/checkpoint.ts';
import { TrainingControl } from '../../engine/train/control.ts';
import { type TrainOptions, train } from '../../engine/train/loop.ts';
import type { StepMetrics } from '../../engine/train/metrics.ts';
import { type RunSettings, runSettings } from '../../engine/train/settings.ts';
import { webgpuBackend } from '../../engine/webgpu/index.ts';
import { lenetGraph } from '../support/fixtures.ts';
import { sharedRuntime } from './fixture.ts';

// NOTE: no skip when WebGPU is missing: opening the runtime throws a GpuError and every test here fails.
const gpu = sharedRuntime();
const graph = lenetGraph();
const mnist = decodeBuiltinMnist(
  new Uint8Array(readFileSync(join(import.meta.dirname, '../../engine/data/assets/mnist-10k.bin'))),
);

/** `count` built-in digits spread over the set (it is stored digit by digit). */
function digits(count: number): DataSet {
  const stride = Math.floor(mnist.labels.length / count);
  const images = new Uint8Array(count * 784);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    images.set(mnist.images.subarray(i * stride * 784, (i * stride + 1) * 784), i * 784);
    labels[i] = mnist.labels[i * stride]!;
  }
  return { ...mnist, images, labels };
}

const data = digits(320);

function settings(overrides: Partial<RunSettings>): RunSettings {
  return runSettings(null, {
    optimizer: 'sgd',
    lr: 0.05,
    momentum: 0.9,
    batch_size: 32,
    epochs: 1,
    seed: 11,
    validation_split: 0.1,
    normalize: 'dataset',
    ...overrides,
  });
}

/**
 * LeNet-5 with BatchNorm after each conv and Dropout before fc2: running statistics and random masks. NOTE: the
 * convs have no bias: before a BatchNorm its true gradient is 0, and Adam would scale float32 noise to lr-sized
 * steps (see backend-training.test.ts).
 */
function lenetBatchNormDropout() {
  const b = new GraphBuilder();
  let x = b.layer('Input', { shape: [1, 28, 28] }, [], 'input');
  x = b.layer('Conv2d', { out_channels: 6, kernel_size: 5, padding: 2, bias: false }, [x], 'conv1');
  x = b.layer('BatchNorm2d', {}, [x], 'bn1');
  x = b.layer('ReLU', {}, [x]);
  x = b.layer('MaxPool2d', { kernel_size: 2 }, [x], 'pool1');
  x = b.layer('Conv2d', { out_channels: 16, kernel_size: 5, bias: false }, [x], 'conv2');
  x = b.layer('BatchNorm2d', {}, [x], 'bn2');
  x = b.layer('ReLU', {}, [x]);
  x = b.layer('MaxPool2d', { kernel_size: 2 }, [x], 'pool2');
  x = b.layer('Flatten', {}, [x], 'flatten');
  x = b.layer('Linear', { out_features: 120 }, [x], 'fc1');
  x = b.layer('ReLU', {}, [x]);
  x = b.layer('Dropout', { p: 0.3 }, [x], 'drop');
  x = b.layer('Linear', { out_features: 10 }, [x], 'fc2');
  b.layer('Output', { num_classes: 10 }, [x], 'output');
  return b.graph;
}

async function run(s: RunSettings, extra: Partial<TrainOptions> = {}, dataset = data) {
  const steps: StepMetrics[] = [];
  const snapshots: TrainingSnapshot[] = [];
  const result = await train({
    backend: extra.backend ?? webgpuBackend(await gpu()),
    graph: extra.graph ?? graph,
    dataset,
    settings: s,
    // Fixed read windows (readEvery), so the tests know where a window ends; results never depend on it.
    readIntervalMs: Number.POSITIVE_INFINITY,
    ...extra,
    onStep: (m) => steps.push(m),
    onCheckpoint: (snap) => {
      snapshots.push(snap);
    },
  });
  return { result, steps, snapshots };
}

/** |a - b| <= tolerance x max(|b|) over the whole tensor (relative to its scale: single weights can be ~0). */
function expectRelativelyClose(label: string, a: ArrayLike<number>, b: ArrayLike<number>, tolerance: number) {
  expect(a.length, label).toBe(b.length);
  let scale = 0;
  let error = 0;
  for (let i = 0; i < b.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]!));
    error = Math.max(error, Math.abs(a[i]! - b[i]!));
  }
  expect(
    error,
    `${label}: max error ${error.toExponential(2)}, scale ${scale.toExponential(2)}`,
  ).toBeLessThanOrEqual(tolerance * Math.max(scale, 1e-6));
}

function expectSameRun(
  label: string,
  a: Awaited<ReturnType<typeof run>>,
  b: Awaited<ReturnType<typeof run>>,
  tolerance: number,
) {
  expect(a.steps.length, label).toBe(b.steps.length);
  expect(a.steps.length).toBeGreaterThan(0);
  for (const [i, s] of a.steps.entries()) {
    const t = b.steps[i]!;
    expect([s.epoch, s.epochStep, s.step], `${label} step ${i}`).toEqual([t.epoch, t.epochStep, t.step]);
    expectRelativelyClose(`${label} loss of step ${s.step}`, [s.loss], [t.loss], tolerance);
    if (t.gradNorm !== null)
      expectRelativelyClose(`${label} grad norm of step ${s.step}`, [s.gradNorm!], [t.gradNorm], tolerance);
  }
  for (const [key, t] of b.result.last.model)
    expectRelativelyClose(
      `${label} ${key}`,
      toNumbers(a.result.last.model.get(key)!),
      toNumbers(t),
      tolerance,
    );
  const [va, vb] = [a.result.epochs.at(-1)!, b.result.epochs.at(-1)!];
  expectRelativelyClose(`${label} validation loss`, [va.validationLoss!], [vb.validationLoss!], tolerance);
}

describe('the device path gives the host path steps', () => {
  const cases: [string, Partial<RunSettings>][] = [
    ['no augmentation', {}],
    [
      'augmentation',
      {
        augment: {
          horizontalFlip: 0.5,
          rotation: { degrees: 12 },
          scale: [0.9, 1.1],
          translate: 2,
          erase: { probability: 0.3 },
          noise: 0.05,
        },
      },
    ],
  ];
  for (const [name, overrides] of cases)
    it(`LeNet-5 on 320 digits, ${name}: losses, data order, weights within 1e-4`, async () => {
      const s = settings(overrides);
      const device = await run(s, { readEvery: 4 });
      const host = await run(s, { onDevice: { batches: false, steps: false } });
      expect(device.result.dataPath).toEqual({ batches: 'device', steps: 'device', note: null });
      expect(host.result.dataPath).toEqual({ batches: 'host', steps: 'host', note: null });
      expect(device.steps.length).toBe(9);
      // The same data order: the loss of every step (a function of its batch) agrees, and differs step to step.
      expect(new Set(host.steps.map((m) => m.loss)).size).toBe(host.steps.length);
      expectSameRun(name, device, host, 1e-4);
      // Batches on the device, guard on the host: the same again.
      const mixed = await run(s, { onDevice: { batches: true, steps: false } });
      expect(mixed.result.dataPath.batches).toBe('device');
      expectSameRun(`${name}, device batches only`, mixed, host, 1e-4);
    });
});

describe('the device path with BatchNorm and Dropout', () => {
  it('gives the host path steps and weights, and resumes from a stop to the uninterrupted run bit for bit', async () => {
    // NOTE: host vs device under SGD: Adam divides by sqrt(v), so for weights whose gradient is nearly 0 (a unit
    // dropped or dead for the batch) the 1e-7 differences of the two input paths become 1e-3 relative steps.
    const one = settings({ lr: 0.02, augment: { translate: 2 } });
    const bn = lenetBatchNormDropout();
    const host = await run(one, { graph: bn, onDevice: { batches: false, steps: false } });
    expectSameRun('bn + dropout', await run(one, { graph: bn, readEvery: 4 }), host, 1e-4);
    // Device against device: Adam, two epochs, stopped and resumed.
    const s = { ...one, optimizer: 'adam' as const, lr: 3e-3, epochs: 2 };
    // Adaptive windows here (SwiftShader reads nearly every step), fixed ones below: the same bits.
    const device = await run(s, { graph: bn, readEvery: 4, readIntervalMs: 250 });
    // A stop asked for while step 6 is reported lands after the steps already in flight (the read window of 4
    // ends at step 8), and the checkpoint holds step 8.
    const control = new TrainingControl();
    const halted: number[] = [];
    const stopped = await train({
      backend: webgpuBackend(await gpu()),
      graph: bn,
      dataset: data,
      settings: s,
      readEvery: 4,
      readIntervalMs: Number.POSITIVE_INFINITY,
      control,
      onStep: (m) => {
        halted.push(m.step);
        if (m.step === 6) control.stop();
      },
    });
    expect(stopped.reason).toBe('stopped');
    expect(stopped.step).toBe(8);
    expect(halted).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(stopped.last.step).toBe(8);
    const resumed = await run(s, { graph: bn, readEvery: 4, resume: stopped.last });
    expect(resumed.steps.map((m) => m.step)).toEqual([9, 10, 11, 12, 13, 14, 15, 16, 17, 18]);
    for (const [key, t] of device.result.last.model)
      expect(toNumbers(resumed.result.last.model.get(key)!), key).toEqual(toNumbers(t));
  });
});

describe('the NaN guard on the device path', () => {
  it('names the exact epoch and step and keeps the weights from before it, as the host path does', async () => {
    // Warm-up from a small rate to an absurd one: the loss is finite for the first steps, then blows up inside a
    // read window (readEvery 4), so the device path must roll back and replay to the step before.
    // With BatchNorm, so rolling back must restore the running statistics too.
    const s = settings({ lr: 1e30, momentum: 0, warmup: { steps: 9, start_factor: 1e-34 }, epochs: 2 });
    const bn = lenetBatchNormDropout();
    const host = await run(s, { graph: bn, onDevice: { batches: false, steps: false } });
    // Adaptive windows here (SwiftShader reads nearly every step), fixed ones below: the same bits.
    const device = await run(s, { graph: bn, readEvery: 4, readIntervalMs: 250 });
    expect(host.result.reason).toBe('nonFinite');
    expect(device.result.reason).toBe('nonFinite');
    expect(device.result.message).toBe(host.result.message);
    // The bad step is not the first of a read window (windows of 4 start again at each epoch of 9 steps).
    expect((host.result.step % 9) % 4).not.toBe(0);
    expect(device.result.message).toContain(`(step ${host.result.step + 1} of the run)`);
    expect(device.steps.map((m) => m.step)).toEqual(host.steps.map((m) => m.step));
    expect(device.steps.every((m) => Number.isFinite(m.loss))).toBe(true);
    const last = device.snapshots.at(-1)!;
    expect(last.reason).toBe('nonFinite');
    expect(last.step).toBe(host.result.step);
    expect(last.optimizer.kind).toBe(host.snapshots.at(-1)!.optimizer.kind);
    for (const [key, t] of host.snapshots.at(-1)!.model)
      expectRelativelyClose(`kept ${key}`, toNumbers(last.model.get(key)!), toNumbers(t), 1e-4);
  });
});

describe('gradient clipping on the device', () => {
  it('matches the CPU loop (clip_grad_norm_ semantics): norms, losses, weights', async () => {
    const s = settings({ clip_grad_norm: 0.5, lr: 0.1 });
    const device = await run(s, { readEvery: 5 });
    const cpu = await run(s, { backend: cpuBackend });
    expect(device.result.dataPath.steps).toBe('device');
    expect(cpu.result.dataPath).toEqual({ batches: 'host', steps: 'host', note: null });
    // Clipping was active: the norms before clipping are above max_norm.
    expect(cpu.steps.some((m) => m.gradNorm! > 0.5)).toBe(true);
    expectSameRun('clipped', device, cpu, 1e-4);
  });
});

describe('throughput (printed, not asserted)', () => {
  it('LeNet-5, batch 64: images/s through the loop, device path vs host path', async () => {
    // Two epochs of 8 steps with flips and rotation; the figure is the second epoch's (pipelines and pooled
    // buffers warm), steps read back every 8 on the device path. NOTE: a shared machine makes it noisy.
    const dataset = digits(64 * 8);
    const s = settings({
      batch_size: 64,
      validation_split: 0,
      epochs: 2,
      augment: { horizontalFlip: 0.5, rotation: { degrees: 10 } },
    });
    const figures: string[] = [];
    const figure = (name: string, imagesPerSecond: number) =>
      figures.push(`${name.padEnd(44)} ${imagesPerSecond.toFixed(0).padStart(5)} images/s`);
    for (const [name, onDevice] of [
      ['host batches, guard read back every step', { batches: false, steps: false }],
      ['host batches, steps on the device', { batches: false, steps: true }],
      ['device batches and steps (the GPU data path)', { batches: true, steps: true }],
    ] as const) {
      const { result, steps } = await run(s, { onDevice, readEvery: 8 }, dataset);
      expect(steps.length).toBe(16);
      figure(name, result.epochs[1]!.imagesPerSecond);
    }
    const cpu = await run(s, { backend: cpuBackend }, dataset);
    figure('CPU backend, for comparison', cpu.result.epochs[1]!.imagesPerSecond);
    // What the GPU data path takes off the host each step: preparing the batch (the upload comes on top).
    const pre = { shape: dataset.shape, augment: s.augment, normalize: cpu.result.normalize };
    const indices = Uint32Array.from({ length: 64 }, (_, i) => i);
    const t0 = performance.now();
    for (let k = 0; k < 20; k++) makeBatch(dataset, indices, pre, k);
    const prepare = (performance.now() - t0) / 20;
    figures.push(`host batch preparation alone: ${prepare.toFixed(1)} ms per batch of 64`);
    console.log(`LeNet-5 batch 64, ${(await gpu()).info().label}:\n  ${figures.join('\n  ')}`);
  });
});
