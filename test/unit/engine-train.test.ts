// engine/train: the seeded generator, PyTorch's default init, the optimizers against torch 1.13 step by
// step, bit-for-bit determinism, evaluation, and LeNet-5 training speed on the CPU backend.

import { describe, expect, it } from 'vitest';
import { compile } from '../../engine/compile/compile.ts';
import { cpuBackend } from '../../engine/cpu/backend.ts';
import { Adam, SGD } from '../../engine/train/optimizers.ts';
import { Random } from '../../engine/train/random.ts';
import { initialize, readState } from '../../engine/train/state.ts';
import { type Batch, evaluate, trainStep } from '../../engine/train/train-step.ts';
import {
  checkOptimizerCase,
  loadOptimizerFixture,
  oneParameter,
  optimizerOf,
} from '../support/fixture-cases.ts';
import { lenetGraph, resnetGraph } from '../support/fixtures.ts';

describe('Random', () => {
  it('repeats for a seed, differs across seeds, and splits streams independent of draws', () => {
    const draw = (r: Random) => Array.from({ length: 8 }, () => r.uint32());
    expect(draw(new Random(42))).toEqual(draw(new Random(42)));
    expect(draw(new Random(42))).not.toEqual(draw(new Random(43)));
    const a = new Random(7);
    const before = draw(a.split('init:conv1.weight'));
    draw(a);
    expect(draw(a.split('init:conv1.weight'))).toEqual(before);
    expect(draw(a.split('shuffle'))).not.toEqual(before);
  });

  it('draws floats in [0, 1), unbiased ints, permutations and roughly normal values', () => {
    const r = new Random(1);
    const floats = Array.from({ length: 10000 }, () => r.float());
    expect(Math.min(...floats)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...floats)).toBeLessThan(1);
    expect(Math.abs(floats.reduce((s, v) => s + v, 0) / floats.length - 0.5)).toBeLessThan(0.02);
    const counts = new Array(7).fill(0);
    for (let i = 0; i < 7000; i++) counts[r.int(7)]++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(150);
    expect([...r.permutation(50)].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const normals = Array.from({ length: 10000 }, () => r.normal());
    const mean = normals.reduce((s, v) => s + v, 0) / normals.length;
    const variance = normals.reduce((s, v) => s + (v - mean) ** 2, 0) / normals.length;
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });
});

describe('default init', () => {
  it('follows PyTorch: uniform(+-1/sqrt(fan_in)) for conv and linear, BN 1/0, running stats 0/1, counter 0', async () => {
    const program = compile(resnetGraph(6), 2);
    const exec = await cpuBackend.bind(program);
    initialize(exec, new Random(11));
    const state = await readState(exec);
    const values = (key: string) => Array.from(state.get(key)!.data, Number);
    const bound = 1 / Math.sqrt(3 * 9);
    const w = values('conv1.0.weight');
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.9 * bound);
    expect(Math.max(...values('outlayer.bias').map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(32 * 36));
    expect(new Set(values('conv1.1.weight'))).toEqual(new Set([1]));
    expect(new Set(values('conv1.1.bias'))).toEqual(new Set([0]));
    expect(new Set(values('blk1.bn1.running_mean'))).toEqual(new Set([0]));
    expect(new Set(values('blk1.bn1.running_var'))).toEqual(new Set([1]));
    expect(values('blk1.bn1.num_batches_tracked')).toEqual([0]);
    expect(state.get('blk1.bn1.num_batches_tracked')!.dtype).toBe('int64');
  });
});

describe('optimizers match torch 1.13 step by step', () => {
  const fixture = loadOptimizerFixture();
  it.each(fixture.meta.cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const optimizer = optimizerOf(c);
    const param = fixture.get(`${c.name}/param`);
    const exec = await cpuBackend.bind(oneParameter(param.shape, optimizer.update));
    await checkOptimizerCase(c, fixture, optimizer, exec);
  });

  it('rejects what torch rejects, and a program without its state', async () => {
    expect(() => new SGD({ lr: 0.1, nesterov: true })).toThrow(/Nesterov/);
    expect(() => new Adam({ betas: [1, 0.9] })).toThrow(/beta/);
    const exec = await cpuBackend.bind(compile(lenetGraph(), 1));
    expect(() => new SGD({ lr: 0.1, momentum: 0.9 }).step(exec)).toThrow(/optimizer: 'sgd'/);
  });
});

/** Random batches of LeNet-shaped data from one stream. */
function batches(rng: Random, count: number, size: number): Batch[] {
  return Array.from({ length: count }, () => ({
    images: Float32Array.from({ length: size * 784 }, () => rng.normal()),
    labels: Int32Array.from({ length: size }, () => rng.int(10)),
  }));
}

async function run(seed: number): Promise<{ losses: number[]; state: Uint8Array[] }> {
  const program = compile(lenetGraph(), 16, { optimizer: 'adam' });
  const exec = await cpuBackend.bind(program);
  const rng = new Random(seed);
  initialize(exec, rng);
  const data = batches(rng.split('data'), 3, 16);
  const order = rng.split('shuffle').permutation(data.length);
  const adam = new Adam({ lr: 1e-3 });
  const losses: number[] = [];
  for (const i of order) losses.push((await trainStep(exec, adam, data[i]!)).loss);
  const state = [...(await readState(exec)).values()].map((v) => new Uint8Array(v.data.buffer));
  return { losses, state };
}

describe('determinism', () => {
  it('gives the same result bit for bit for the same seed, and another for another seed', async () => {
    const a = await run(2024);
    const b = await run(2024);
    expect(a.losses).toEqual(b.losses);
    expect(a.state).toEqual(b.state);
    const c = await run(2025);
    expect(c.losses).not.toEqual(a.losses);
  });
});

describe('training loop', () => {
  it('evaluates in eval mode over batches, and training lowers the loss on a fixed batch', async () => {
    const program = compile(lenetGraph(), 8, { optimizer: 'adam' });
    const exec = await cpuBackend.bind(program);
    const rng = new Random(4);
    initialize(exec, rng);
    const data = batches(rng.split('data'), 2, 8);
    const before = await evaluate(exec, data);
    expect(before.samples).toBe(16);
    expect(before.correct).toBe(Math.round(before.accuracy * 16));
    const adam = new Adam({ lr: 2e-3 });
    let first = 0;
    let last = 0;
    for (let i = 0; i < 15; i++) {
      const r = await trainStep(exec, adam, data[0]!);
      if (i === 0) first = r.loss;
      last = r.loss;
    }
    expect(last).toBeLessThan(first * 0.7);
  });

  it('trains LeNet-5 at batch 64 in well under a second per step on the CPU', async () => {
    const program = compile(lenetGraph(), 64, { optimizer: 'sgd' });
    const exec = await cpuBackend.bind(program);
    const rng = new Random(8);
    initialize(exec, rng);
    const [batch] = batches(rng, 1, 64);
    const sgd = new SGD({ lr: 0.01, momentum: 0.9 });
    await trainStep(exec, sgd, batch!); // warm-up: the JIT compiles the kernels
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      await trainStep(exec, sgd, batch!);
      times.push(performance.now() - start);
    }
    const median = times.sort((x, y) => x - y)[1]!;
    console.log(`LeNet-5 CPU train step, batch 64: median ${median.toFixed(0)} ms`);
    // NOTE: shared CI machines are noisy; the bound leaves room over the ~0.1-0.5 s measured.
    expect(median).toBeLessThan(1500);
  });
});
