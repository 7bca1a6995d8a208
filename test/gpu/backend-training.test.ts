// The WebGPU backend in training: agreement with the CPU backend on random programs (Dropout masks too), bit-for-bit
// determinism, one submission per step with metrics kept on the device, and GPU failures surfacing as
// GpuError. Fails, not skips, without an adapter.

import { describe, expect, it } from 'vitest';
import type { Executor } from '../../engine/compile/backend.ts';
import { CompileError, compile } from '../../engine/compile/compile.ts';
import { randomKeyData } from '../../engine/compile/op-numerics.ts';
import type { Program } from '../../engine/compile/program.ts';
import { cpuBackend } from '../../engine/cpu/backend.ts';
import { GpuError } from '../../engine/gpu/index.ts';
import { openNodeRuntime } from '../../engine/gpu/node-device.ts';
import { analyze } from '../../engine/graph/analyze.ts';
import { GraphBuilder } from '../../engine/graph/builder.ts';
import type { Graph } from '../../engine/graph/types.ts';
import { Adam, AdamW, type Optimizer, SGD } from '../../engine/train/optimizers.ts';
import { Random } from '../../engine/train/random.ts';
import { initialize, readState, type StateValue } from '../../engine/train/state.ts';
import { type Batch, inferStep, trainStep } from '../../engine/train/train-step.ts';
import { trainSteps } from '../../engine/train/train-steps.ts';
import { webgpuBackend } from '../../engine/webgpu/index.ts';
import { expectClose, lenetGraph } from '../support/fixtures.ts';
import { sharedRuntime } from './fixture.ts';

// NOTE: no skip when WebGPU is missing: opening the runtime throws a GpuError and every test here fails.
const gpu = sharedRuntime();

/**
 * A random small CNN: convs (stride, padding, dilation, groups), BatchNorm, pools, residual adds, concats.
 * NOTE: `wellPosedForAdam` leaves out every bias whose true gradient is 0 (a conv or Linear bias, or a
 * BatchNorm bias, that reaches a BatchNorm through shift-preserving ops only: the BatchNorm subtracts it
 * again). Such a gradient is float32 noise on the scale of Adam's eps, and the noise, different on each
 * backend, picks Adam's step; so under Adam convs and Linear layers before BatchNorm have no bias and every
 * BatchNorm is followed by a ReLU. SGD moves those biases by lr * noise, so SGD programs keep them.
 */
function randomGraph(rng: Random, classes: number, wellPosedForAdam: boolean): Graph {
  const b = new GraphBuilder();
  let x = b.layer('Input', { shape: [1 + rng.int(3), 6 + rng.int(4), 6 + rng.int(4)] }, [], 'input');
  const shape = () => analyze(b.graph).nodes.get(x)!.output as [number, number, number];
  const conv = (input: string, out: number, k: number, s = 1, p = 0, d = 1, groups = 1, bias = true) =>
    b.layer(
      'Conv2d',
      {
        out_channels: out,
        kernel_size: k,
        stride: s,
        padding: p,
        dilation: d,
        groups,
        bias: bias && !wellPosedForAdam,
      },
      [input],
    );
  const batchNorm = (kind: string, input: string) => {
    const y = b.layer(kind, {}, [input]);
    return wellPosedForAdam ? b.layer('ReLU', {}, [y]) : y;
  };
  for (let i = 0, blocks = 3 + rng.int(3); i < blocks; i++) {
    const [c, h, w] = shape();
    const kind = rng.int(7);
    if (kind === 0) {
      const k = 1 + rng.int(3);
      const d = k > 1 && rng.bernoulli(0.3) ? 2 : 1;
      const groups = c % 2 === 0 && rng.bernoulli(0.4) ? 2 : 1;
      if (Math.min(h, w) < 2 * d * (k - 1) + 2) continue;
      x = conv(
        x,
        groups * (1 + rng.int(5)),
        k,
        1 + rng.int(2),
        rng.int(Math.floor(k / 2) + 1) * d,
        d,
        groups,
        rng.bernoulli(0.7),
      );
    } else if (kind === 1) x = batchNorm('BatchNorm2d', x);
    else if (kind === 2) x = b.layer('ReLU', {}, [x]);
    else if (kind === 3 && Math.min(h, w) >= 4) {
      x = b.layer('MaxPool2d', { kernel_size: 3, stride: 2, padding: 1, ceil_mode: rng.bernoulli(0.5) }, [x]);
      const [, ph, pw] = shape();
      x = b.layer('AdaptiveAvgPool2d', { output_size: [1 + rng.int(ph), 1 + rng.int(pw)] }, [x]);
    } else if (kind === 4) {
      const count_include_pad = rng.bernoulli(0.5);
      x = b.layer('AvgPool2d', { kernel_size: 3, stride: 1 + rng.int(2), padding: 1, count_include_pad }, [
        x,
      ]);
    } else if (kind === 5) x = b.layer('Add', {}, [x, batchNorm('BatchNorm2d', conv(x, c, 3, 1, 1))]);
    else if (kind === 6)
      x = b.layer('Concat', {}, [conv(x, 1 + rng.int(4), 1), conv(x, 1 + rng.int(4), 3, 1, 1)]);
  }
  x = b.layer('Flatten', {}, [x]);
  const hiddenBatchNorm = rng.bernoulli(0.5);
  x = b.layer('Linear', { out_features: 5 + rng.int(8), bias: !(hiddenBatchNorm && wellPosedForAdam) }, [x]);
  if (hiddenBatchNorm) x = b.layer('BatchNorm1d', {}, [x]);
  x = b.layer('ReLU', {}, [x]);
  if (rng.bernoulli(0.6)) x = b.layer('Dropout', { p: rng.bernoulli(0.5) ? 0.5 : 0.2 }, [x]);
  x = b.layer('Linear', { out_features: classes }, [x]);
  b.layer('Output', { num_classes: classes, label_smoothing: rng.bernoulli(0.5) ? 0.1 : 0 }, [x]);
  return b.graph;
}

function randomBatch(rng: Random, program: Program, classes: number): Batch {
  const n = program.tensors[program.batch]!.shape.reduce((a, b) => a * b, 1);
  return {
    images: Float32Array.from({ length: n }, () => rng.normal()),
    labels: Int32Array.from({ length: program.batchSize }, () => rng.int(classes)),
  };
}

function expectSameState(
  label: string,
  gpuState: Map<string, StateValue>,
  cpuState: Map<string, StateValue>,
) {
  for (const [key, ref] of cpuState) {
    const ours = gpuState.get(key)!;
    if (ref.dtype === 'int64')
      expect(Array.from(ours.data, Number), `${label} ${key}`).toEqual(Array.from(ref.data, Number));
    else expectClose(`${label} ${key}`, ours.data as Float32Array, ref.data as Float32Array);
  }
}

describe('WebGPU agrees with the CPU backend', () => {
  const optimizers: (() => Optimizer)[] = [
    () => new SGD({ lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-3 }),
    () => new Adam({ lr: 1e-2, weightDecay: 1e-3 }),
    () => new SGD({ lr: 0.1, momentum: 0.5, dampening: 0.2 }),
    () => new AdamW({ lr: 1e-2 }),
    () => new SGD({ lr: 0.1 }),
    () => new Adam({ lr: 3e-3, betas: [0.8, 0.99], eps: 1e-6 }),
  ];
  it.each([1, 2, 3, 4, 5, 6])(
    'on random program %i: logits, loss, every gradient, two updates, eval',
    async (seed) => {
      const rng = new Random(seed * 7919);
      const classes = 3 + rng.int(5);
      const [gpuOpt, cpuOpt] = [optimizers[seed - 1]!(), optimizers[seed - 1]!()];
      let program: Program | undefined;
      for (let tries = 0; !program; tries++) {
        const graph = randomGraph(rng.split(`graph ${tries}`), classes, gpuOpt.update === 'adam');
        try {
          program = compile(graph, 2 + rng.int(4), { optimizer: gpuOpt.update });
        } catch (error) {
          if (!(error instanceof CompileError) || tries > 20) throw error;
        }
      }
      const [gpuExec, cpuExec] = [
        await webgpuBackend(await gpu()).bind(program),
        await cpuBackend.bind(program),
      ];
      try {
        for (const exec of [gpuExec, cpuExec]) initialize(exec, new Random(seed));
        for (let step = 0; step < 2; step++) {
          const batch = randomBatch(rng, program, classes);
          if (program.randomKey !== null)
            for (const exec of [gpuExec, cpuExec]) exec.write(program.randomKey, randomKeyData(seed, step));
          const got = await trainStep(gpuExec, gpuOpt, batch);
          const want = await trainStep(cpuExec, cpuOpt, batch);
          expectClose(`step ${step} loss`, [got.loss], [want.loss]);
          expect(got.correct, `step ${step} correct`).toBe(want.correct);
          expectClose(
            `step ${step} logits`,
            await gpuExec.read(program.logits),
            await cpuExec.read(program.logits),
          );
          for (const u of program.updates)
            expectClose(
              `step ${step} grad(${u.key})`,
              await gpuExec.read(u.grad),
              await cpuExec.read(u.grad),
            );
          expectSameState(`step ${step}`, await readState(gpuExec), await readState(cpuExec));
        }
        const batch = randomBatch(rng, program, classes);
        const [got, want] = [await inferStep(gpuExec, batch), await inferStep(cpuExec, batch)];
        expectClose('eval loss', [got.loss], [want.loss]);
        expectClose('eval logits', await gpuExec.read(program.logits), await cpuExec.read(program.logits));
      } finally {
        gpuExec.dispose();
      }
    },
  );
});

function lenetBatches(seed: number, count: number, size: number): Batch[] {
  const rng = new Random(seed);
  return Array.from({ length: count }, () => ({
    images: Float32Array.from({ length: size * 784 }, () => rng.normal()),
    labels: Int32Array.from({ length: size }, () => rng.int(10)),
  }));
}

describe('determinism', () => {
  it('gives identical bits in two runs (Adam, LeNet-5, three steps)', async () => {
    const run = async () => {
      const program = compile(lenetGraph(), 8, { optimizer: 'adam' });
      const exec = await webgpuBackend(await gpu()).bind(program);
      try {
        initialize(exec, new Random(5));
        const reads = await trainSteps(exec, new Adam({ lr: 1e-3 }), lenetBatches(6, 3, 8), { readEvery: 1 });
        const state = [...(await readState(exec)).values()].map(
          (v) => new Uint8Array(v.data.buffer.slice(0)),
        );
        return { losses: reads.map((r) => r.totals.loss), state };
      } finally {
        exec.dispose();
      }
    };
    const a = await run();
    const b = await run();
    expect(b.losses).toEqual(a.losses);
    expect(b.state).toEqual(a.state);
  });
});

describe('trainSteps', () => {
  it('submits one command buffer per step and reads the metrics every readEvery steps', async () => {
    const runtime = await gpu();
    const program = compile(lenetGraph(), 8, { optimizer: 'sgd' });
    const [gpuExec, cpuExec] = [await webgpuBackend(runtime).bind(program), await cpuBackend.bind(program)];
    const queue = runtime.device.queue;
    const submit = queue.submit.bind(queue);
    let submissions = 0;
    queue.submit = (buffers) => {
      submissions++;
      submit(buffers);
    };
    try {
      for (const exec of [gpuExec, cpuExec]) initialize(exec as Executor<Program>, new Random(9));
      const data = lenetBatches(10, 5, 8);
      const sgd = () => new SGD({ lr: 0.02, momentum: 0.9 });
      const reads = await trainSteps(gpuExec, sgd(), data, { readEvery: 2 });
      // One submission per step, plus one readback per read and the initial reset of the totals.
      expect(submissions).toBe(5 + 3 + 1);
      expect(reads.map((r) => [r.steps, r.totals.steps])).toEqual([
        [2, 2],
        [4, 2],
        [5, 1],
      ]);
      const cpuReads = await trainSteps(cpuExec, sgd(), data, { readEvery: 2 });
      for (const [i, r] of reads.entries()) {
        expectClose(`read ${i} loss`, [r.loss], [cpuReads[i]!.loss]);
        expect(r.totals.correct, `read ${i} correct`).toBe(cpuReads[i]!.totals.correct);
      }
      expectSameState('after trainSteps', await readState(gpuExec), await readState(cpuExec));
    } finally {
      queue.submit = submit;
      gpuExec.dispose();
    }
  });
});

/** A tiny network on its own runtime, for tests that break the device. */
async function tinyRun() {
  const runtime = await openNodeRuntime();
  const b = new GraphBuilder();
  const x = b.layer('Input', { shape: [4] }, [], 'input');
  b.layer('Output', { num_classes: 3 }, [b.layer('Linear', { out_features: 3 }, [x], 'fc')]);
  const program = compile(b.graph, 4, { optimizer: 'sgd' });
  const exec = await webgpuBackend(runtime, { matmulVariant: 'blocked4x4' }).bind(program);
  initialize(exec, new Random(1));
  const rng = new Random(2);
  const batches = Array.from({ length: 6 }, () => ({
    images: Float32Array.from({ length: 16 }, () => rng.normal()),
    labels: Int32Array.from({ length: 4 }, () => rng.int(3)),
  }));
  return { runtime, exec, batches };
}

describe('GPU failures', () => {
  it('a lost device stops training with GpuError; the last read-back state is kept', async () => {
    const { runtime, exec, batches } = await tinyRun();
    let kept: Map<string, StateValue> | undefined;
    try {
      const run = trainSteps(exec, new SGD({ lr: 0.1 }), batches, {
        readEvery: 2,
        async onRead(read) {
          kept = await readState(exec);
          if (read.steps === 2) runtime.device.destroy();
        },
      });
      const error = await run.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(GpuError);
      expect(['deviceLost', 'readback']).toContain((error as GpuError).kind);
      expect(kept!.get('fc.weight')!.data.every(Number.isFinite)).toBe(true);
    } finally {
      runtime.close();
    }
  });

  it('an uncaptured GPU error becomes the runtime GpuError at the next read', async () => {
    const { runtime, exec, batches } = await tinyRun();
    try {
      await trainSteps(exec, new SGD({ lr: 0.1 }), batches.slice(0, 1));
      exec.buffer(exec.program.batch).destroy(); // the next submission uses a destroyed buffer
      const error = await trainSteps(exec, new SGD({ lr: 0.1 }), batches.slice(1, 3)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(GpuError);
      expect((error as GpuError).fatal).toBe(true);
      expect(runtime.error).toBeInstanceOf(GpuError);
    } finally {
      runtime.close();
    }
  });
});
