// Every primitive op and optimizer update on the WebGPU backend (SwiftShader in CI) against the same PyTorch
// fixtures as the CPU tests: outputs, updated state and gradients, a second backward that accumulates, and
// SGD / Adam / AdamW step by step. Fails, not skips, without an adapter.

import { describe, expect, it } from 'vitest';
import type { OpAttrs, OpName, Shape } from '../../engine/compile/ops.ts';
import type { ProgramCore, TensorId } from '../../engine/compile/program.ts';
import { compileOp } from '../../engine/compile/single-op.ts';
import { Adam, AdamW, type Optimizer, SGD } from '../../engine/train/optimizers.ts';
import { type WebGpuBackendOptions, webgpuBackend } from '../../engine/webgpu/index.ts';
import { expectClose, loadFixture } from '../support/fixtures.ts';
import { sharedRuntime } from './fixture.ts';

interface OpCase {
  name: string;
  op: OpName;
  attrs: OpAttrs[OpName];
  training: boolean;
  inputs: Record<string, string | string[]>;
  output: string;
  gradOutput?: string;
  grads: Record<string, string | string[]>;
  after: Record<string, string>;
}

const fixture = loadFixture<{ cases: OpCase[] }>('ops');
// NOTE: no skip when WebGPU is missing: opening the runtime throws a GpuError and every test here fails.
const gpu = sharedRuntime();

/** Pairs each fixture tensor name with the program's tensor id for the same input or gradient. */
function pairs(
  names: Record<string, string | string[]>,
  ids: object,
): [string, string, TensorId | undefined][] {
  const byName = ids as Record<string, TensorId | (TensorId | undefined)[] | undefined>;
  return Object.entries(names).flatMap(([key, value]) =>
    Array.isArray(value)
      ? value.map((n, i): [string, string, TensorId | undefined] => [
          `${key}.${i}`,
          n,
          (byName[key] as (TensorId | undefined)[] | undefined)?.[i],
        ])
      : [[key, value, byName[key] as TensorId | undefined]],
  );
}

/** One fixture case on a backend with these options: output, state after forward, gradients, accumulation. */
async function checkCase(c: OpCase, options: WebGpuBackendOptions): Promise<void> {
  const backend = webgpuBackend(await gpu(), options);
  const shapes: Record<string, Shape | Shape[]> = {};
  for (const [key, value] of Object.entries(c.inputs))
    shapes[key] = Array.isArray(value) ? value.map((n) => fixture.get(n).shape) : fixture.get(value).shape;
  const program = compileOp(c.op, c.attrs as never, shapes as never);
  const exec = await backend.bind(program);
  try {
    for (const [key, name, id] of pairs(c.inputs, program.inputs)) {
      expect(id, `input ${key}`).toBeDefined();
      exec.write(id!, fixture.get(name).data);
    }
    exec.forward(0, c.training);
    const expected = fixture.get(c.output);
    const output = await exec.read(program.output);
    if (expected.dtype === 'F32') expectClose(`${c.name} output`, output, expected.data);
    else expect(Array.from(output)).toEqual(Array.from(expected.data));
    for (const [key, name] of Object.entries(c.after)) {
      const id = (program.inputs as Record<string, TensorId>)[key]!;
      const ref = fixture.get(name);
      const value = await exec.read(id);
      if (ref.dtype === 'F32') expectClose(`${c.name} ${key} after forward`, value, ref.data);
      else expect(Array.from(value), `${c.name} ${key}`).toEqual(Array.from(ref.data));
    }

    if (!c.gradOutput) return;
    exec.write(program.gradOutput, fixture.get(c.gradOutput).data);
    expect(program.backward.length).toBe(1);
    exec.backward(0, c.training);
    const gradPairs = pairs(c.grads, program.grads);
    expect(gradPairs.length, 'gradients in the fixture').toBeGreaterThan(0);
    for (const [key, name, id] of gradPairs) {
      expect(id, `gradient of ${key}`).toBeDefined();
      expectClose(`${c.name} grad ${key}`, await exec.read(id!), fixture.get(name).data);
    }
    // A second contribution adds to the first: every gradient doubles (the tape's `accumulate`).
    const step = program.backward[0]!;
    const again = {
      ...step,
      grads: JSON.parse(JSON.stringify(step.grads), (k, v) => (k === 'accumulate' ? true : v)),
    };
    const twice = await backend.bind({ ...program, backward: [again as typeof step] });
    try {
      for (const [, name, id] of pairs(c.inputs, program.inputs)) twice.write(id!, fixture.get(name).data);
      twice.forward(0, c.training);
      twice.write(program.gradOutput, fixture.get(c.gradOutput).data);
      twice.backward(0, c.training);
      twice.backward(0, c.training);
      for (const [key, name, id] of gradPairs) {
        const doubled = fixture.get(name).data.map((v) => 2 * v);
        expectClose(`${c.name} grad ${key} accumulated`, await twice.read(id!), doubled);
      }
    } finally {
      twice.dispose();
    }
  } finally {
    exec.dispose();
  }
}

describe('WebGPU ops match PyTorch', () => {
  it.each(fixture.meta.cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    await checkCase(c, { matmulVariant: 'blocked8x8' });
  });
});

// The workgroup-memory conv kernels chosen on hardware adapters, forced here (SwiftShader would pick 'blocked').
const convCases = fixture.meta.cases.filter((c) => c.op === 'conv2d' || c.op === 'conv_transpose2d');
describe('WebGPU tiled conv variant matches PyTorch', () => {
  it('has conv cases to run', () => expect(convCases.length).toBeGreaterThan(10));
  it.each(convCases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    await checkCase(c, { matmulVariant: 'blocked8x8', convVariant: 'tiled' });
  });
});

interface OptimizerCase {
  name: string;
  optimizer: 'sgd' | 'adam' | 'adamw';
  options: {
    lr: number;
    momentum?: number;
    dampening?: number;
    nesterov?: boolean;
    weight_decay?: number;
    betas?: [number, number];
    eps?: number;
  };
  steps: number;
}

/** A program holding one parameter, its gradient and optimizer state: what the update kernels see. */
function oneParameter(shape: number[], update: 'sgd' | 'adam'): ProgramCore {
  const names = update === 'sgd' ? ['momentum_buffer'] : ['exp_avg', 'exp_avg_sq'];
  const tensors = ['param', 'grad', ...names].map((name, id) => ({
    id,
    name,
    shape,
    dtype: 'float32' as const,
    role: 'parameter' as const,
    persistent: true,
  }));
  return {
    tensors,
    forward: [],
    backward: [],
    optimizer: update,
    updates: [
      { key: 'param', param: 0, grad: 1, state: Object.fromEntries(names.map((n, i) => [n, i + 2])) },
    ],
    constants: [],
    plan: { slots: [], slotOf: tensors.map(() => -1), plannedBytes: 0, naiveBytes: 0, persistentBytes: 0 },
  };
}

describe('WebGPU optimizer updates match torch 1.13 step by step', () => {
  const optimizers = loadFixture<{ cases: OptimizerCase[] }>('optimizers');
  it.each(optimizers.meta.cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const o = c.options;
    const optimizer: Optimizer =
      c.optimizer === 'sgd'
        ? new SGD({
            lr: o.lr,
            momentum: o.momentum,
            dampening: o.dampening,
            nesterov: o.nesterov,
            weightDecay: o.weight_decay,
          })
        : new (c.optimizer === 'adam' ? Adam : AdamW)({
            lr: o.lr,
            betas: o.betas,
            eps: o.eps,
            weightDecay: o.weight_decay,
          });
    const param = optimizers.get(`${c.name}/param`);
    const exec = await webgpuBackend(await gpu()).bind(oneParameter(param.shape, optimizer.update));
    try {
      exec.write(0, param.data);
      for (let step = 0; step < c.steps; step++) {
        exec.write(1, optimizers.get(`${c.name}/grad.${step}`).data);
        optimizer.step(exec);
        const want = optimizers.get(`${c.name}/param.${step}`).data;
        expectClose(`${c.name} step ${step + 1}`, await exec.read(0), want);
      }
    } finally {
      exec.dispose();
    }
  });
});
