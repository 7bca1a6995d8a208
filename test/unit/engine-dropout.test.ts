// Dropout on the CPU backend: identity in eval mode (a view in eval programs), the mask's statistics, the same
// mask in backward, one mask per (seed, step, layer), and the pinned draw a GPU kernel must reproduce.

import { describe, expect, it } from 'vitest';
import { compile } from '../../engine/compile/compile.ts';
import {
  dropoutBits,
  dropoutScale,
  dropoutStepKey,
  dropoutThreshold,
  hash32,
  randomKeyData,
} from '../../engine/compile/op-numerics.ts';
import type { Program } from '../../engine/compile/program.ts';
import { compileOp } from '../../engine/compile/single-op.ts';
import { cpuBackend } from '../../engine/cpu/backend.ts';
import { GraphBuilder } from '../../engine/graph/builder.ts';
import { Random } from '../../engine/train/random.ts';
import { initialize } from '../../engine/train/state.ts';
import { runBackward, runForward } from '../../engine/train/train-step.ts';

const N = 8;
const F = 5000;

/** Runs one dropout op on x (N x F) with the key (seed, step); returns y and, given dy, dx. */
async function run(
  p: number,
  x: Float32Array,
  key: [number, number],
  training = true,
  stream = 7,
  dy?: Float32Array,
) {
  const program = compileOp('dropout', { p, stream }, { x: [N, F], key: [2] });
  const exec = await cpuBackend.bind(program);
  exec.write(program.inputs.x, x);
  exec.write(program.inputs.key, randomKeyData(...key));
  exec.forward(0, training);
  const y = (await exec.read(program.output)) as Float32Array;
  if (!dy) return { y };
  exec.write(program.gradOutput, dy);
  exec.backward(0, training);
  return { y, dx: (await exec.read(program.grads.x!)) as Float32Array };
}

const ones = () => new Float32Array(N * F).fill(1);
const zerosOf = (y: Float32Array) => y.reduce((n, v) => n + (v === 0 ? 1 : 0), 0);

describe('dropout (CPU)', () => {
  it('copies its input in eval mode, and passes the gradient through', async () => {
    const rng = new Random(1);
    const x = Float32Array.from({ length: N * F }, () => rng.normal());
    const dy = Float32Array.from({ length: N * F }, () => rng.normal());
    const { y, dx } = await run(0.5, x, [3, 4], false, 7, dy);
    expect(y).toEqual(x);
    expect(dx).toEqual(dy);
  });

  it('zeroes a fraction p and scales the rest by 1/(1-p), independently per element', async () => {
    for (const p of [0.1, 0.3, 0.5, 0.9]) {
      const { y } = await run(p, ones(), [11, 0]);
      const n = y.length;
      const tolerance = 5 * Math.sqrt((p * (1 - p)) / n);
      expect(Math.abs(zerosOf(y) / n - p), `p=${p}`).toBeLessThan(tolerance);
      expect(new Set(y)).toEqual(new Set([0, Math.fround(1 / (1 - p))]));
      // the expectation is kept: mean(y) ~ 1
      const mean = y.reduce((s, v) => s + v, 0) / n;
      expect(Math.abs(mean - 1), `p=${p} mean`).toBeLessThan(5 * Math.sqrt(p / (1 - p) / n));
      // neighbours are independent: P(both dropped) ~ p^2
      let both = 0;
      for (let k = 0; k + 1 < n; k += 2) if (y[k] === 0 && y[k + 1] === 0) both++;
      expect(Math.abs(both / (n / 2) - p * p), `p=${p} pairs`).toBeLessThan(5 * Math.sqrt((p * p) / (n / 2)));
    }
  });

  it('drops nothing at p = 0 and everything at p = 1 (NaN stays NaN, as x * 0 in torch)', async () => {
    expect((await run(0, ones(), [1, 1])).y).toEqual(ones());
    const x = ones();
    x[5] = Number.NaN;
    const { y } = await run(1, x, [1, 1]);
    expect(zerosOf(y)).toBe(N * F - 1);
    expect(y[5]).toBeNaN();
  });

  it('backward multiplies the gradient by the same mask and scale', async () => {
    const rng = new Random(2);
    const dy = Float32Array.from({ length: N * F }, () => rng.normal());
    const { y, dx } = await run(0.25, ones(), [5, 9], true, 7, dy);
    const scale = Math.fround(1 / 0.75);
    for (let k = 0; k < dy.length; k++) expect(dx![k]).toBe(y[k] === 0 ? 0 : Math.fround(dy[k]! * scale));
  });

  it('draws the same mask for the same seed, step and layer, and a new one when any changes', async () => {
    const mask = async (key: [number, number], stream = 7) => (await run(0.5, ones(), key, true, stream)).y;
    const first = await mask([42, 3]);
    expect(await mask([42, 3])).toEqual(first);
    const overlap = (a: Float32Array, b: Float32Array) =>
      a.reduce((n, v, k) => n + (v === 0 && b[k] === 0 ? 1 : 0), 0) / a.length;
    for (const other of [await mask([43, 3]), await mask([42, 4]), await mask([42, 3], 8)]) {
      expect(other).not.toEqual(first);
      expect(Math.abs(overlap(first, other) - 0.25)).toBeLessThan(0.02); // independent masks: p^2
    }
  });

  // NOTE: the numbers were computed independently (Python, u32 arithmetic), not copied from this code's output.
  it('pins the counter-based draw (the bits a GPU kernel must reproduce)', () => {
    expect([0, 1, 2, 0xffffffff].map(hash32)).toEqual([0, 1753845952, 3507691905, 1734902346]);
    const key = dropoutStepKey(1, 2, 3);
    expect(key).toBe(2902294105);
    expect([0, 1, 2, 1000].map((i) => dropoutBits(key, i))).toEqual([
      776637407, 3270346149, 1696882612, 1135458505,
    ]);
    expect([0, 0.5, 1].map(dropoutThreshold)).toEqual([0, 2 ** 23, 2 ** 24]);
    expect(dropoutScale(0.2)).toBe(Math.fround(1.25));
    expect(dropoutScale(1)).toBe(0);
    // seeds and steps past 2^31 travel as int32 bit patterns
    expect(Array.from(randomKeyData(0xfedcba98, 2 ** 32 - 1))).toEqual([0xfedcba98 | 0, -1]);
    expect(dropoutStepKey(0xfedcba98 | 0, -1, 3)).toBe(dropoutStepKey(0xfedcba98, 0xffffffff, 3));
  });
});

describe('Dropout layers in compiled programs', () => {
  function graph(p = 0.5) {
    const b = new GraphBuilder();
    const x = b.layer('Input', { shape: [20] }, [], 'input');
    const fc1 = b.layer('Linear', { out_features: 16 }, [x], 'fc1');
    const d1 = b.layer('Dropout', { p }, [fc1], 'drop1');
    const fc2 = b.layer('Linear', { out_features: 16 }, [d1], 'fc2');
    const d2 = b.layer('Dropout', { p }, [fc2], 'drop2');
    const fc3 = b.layer('Linear', { out_features: 3 }, [d2], 'fc3');
    b.layer('Output', { num_classes: 3 }, [fc3], 'output');
    return b.graph;
  }

  it('is a view in eval programs and an op with its own stream per layer in train programs', () => {
    const evalProgram = compile(graph(), 4, { mode: 'eval' });
    expect(evalProgram.forward.map((s) => s.op)).not.toContain('dropout');
    expect(evalProgram.randomKey).toBeNull();
    expect(evalProgram.tensors[evalProgram.nodeOutputs.get('drop1')!]!.viewOf).toBeDefined();

    const trainProgram = compile(graph(), 4, { optimizer: 'sgd' });
    const drops = trainProgram.forward.filter((s) => s.op === 'dropout');
    expect(drops.length).toBe(2);
    expect(new Set(drops.map((s) => (s.attrs as { stream: number }).stream)).size).toBe(2);
    expect(trainProgram.randomKey).not.toBeNull();
    expect(trainProgram.tensors[trainProgram.randomKey!]).toMatchObject({ shape: [2], dtype: 'int32' });
    expect(compile(graph(0), 4, { optimizer: 'sgd' }).forward.map((s) => s.op)).not.toContain('dropout');
  });

  it('gives the gradient finite differences give, through both masks', async () => {
    const program = compile(graph(0.4), 4, { optimizer: 'sgd' });
    const exec = await cpuBackend.bind(program);
    initialize(exec, new Random(3));
    const rng = new Random(4);
    exec.write(
      program.batch,
      Float32Array.from({ length: 4 * 20 }, () => rng.normal()),
    );
    exec.write(program.labels, Int32Array.of(0, 1, 2, 1));
    exec.write(program.randomKey!, randomKeyData(12345, 6));
    const loss = async () => {
      runForward(exec, true);
      return (await exec.read(program.loss))[0]!;
    };
    await loss();
    runBackward(exec, true);
    const update = program.updates.find((u) => u.key === 'fc1.weight')!;
    const grad = (await exec.read(update.grad)) as Float32Array;
    const weights = (await exec.read(update.param)) as Float32Array;
    let checked = 0;
    for (let k = 0; k < weights.length; k += 23) {
      const h = 1e-2;
      const at = (delta: number) => {
        const w = weights.slice();
        w[k] = weights[k]! + delta;
        exec.write(update.param, w);
        return loss();
      };
      const numeric = ((await at(h)) - (await at(-h))) / (2 * h);
      expect(Math.abs(numeric - grad[k]!), `fc1.weight[${k}]`).toBeLessThan(2e-3 + 1e-2 * Math.abs(numeric));
      if (grad[k] !== 0) checked++;
    }
    expect(checked).toBeGreaterThan(3);
  });

  it('runs in eval mode as the identity inside a train program', async () => {
    const train = compile(graph(), 2, { optimizer: 'sgd' });
    const plain = compile(graph(), 2, { mode: 'eval' });
    const outputs: Float32Array[] = [];
    for (const program of [train, plain] as Program[]) {
      const exec = await cpuBackend.bind(program);
      initialize(exec, new Random(5));
      exec.write(
        program.batch,
        Float32Array.from({ length: 40 }, (_, k) => Math.sin(k)),
      );
      if (program.randomKey !== null) exec.write(program.randomKey, randomKeyData(1, 1));
      runForward(exec, false);
      outputs.push((await exec.read(program.logits)) as Float32Array);
    }
    expect(outputs[0]).toEqual(outputs[1]);
  });
});
