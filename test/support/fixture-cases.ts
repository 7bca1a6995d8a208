// The PyTorch fixture cases of make_fixtures.py (per op, per optimizer, and the two networks), run the same way on
// any backend: the CPU tests (test/unit/engine-ops, engine-train, engine-networks) and the WebGPU tests
// (test/gpu/backend-ops, backend-networks) share this.

import { expect } from 'vitest';
import type { Executor } from '../../engine/compile/backend.ts';
import type { OpAttrs, OpName, Shape } from '../../engine/compile/ops.ts';
import type { Program, ProgramCore, TensorId } from '../../engine/compile/program.ts';
import { compileOp } from '../../engine/compile/single-op.ts';
import type { Graph } from '../../engine/graph/types.ts';
import { Adam, AdamW, type Optimizer, SGD } from '../../engine/train/optimizers.ts';
import { loadState, readState } from '../../engine/train/state.ts';
import { inferStep, trainStep } from '../../engine/train/train-step.ts';
import {
  expectClose,
  type Fixture,
  lenetGraph,
  loadFixture,
  type NetworkMeta,
  resnetGraph,
  stateFrom,
} from './fixtures.ts';

export interface OpCase {
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

export type OpFixture = Fixture<{ cases: OpCase[] }>;

export const loadOpFixture = (): OpFixture => loadFixture<{ cases: OpCase[] }>('ops');

/** Pairs each fixture tensor name with the program's tensor id for the same input or gradient. */
export function pairs(
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

/** The case's op compiled alone, at the fixture's input shapes. */
export function caseProgram(c: OpCase, fixture: OpFixture) {
  const shapes: Record<string, Shape | Shape[]> = {};
  for (const [key, value] of Object.entries(c.inputs))
    shapes[key] = Array.isArray(value) ? value.map((n) => fixture.get(n).shape) : fixture.get(value).shape;
  return compileOp(c.op, c.attrs as never, shapes as never);
}

/**
 * Writes the case's inputs into `exec` (bound to caseProgram's `program`), runs forward and checks the output and
 * the state the forward updates, then (when the case has a gradient) backward and every gradient. Returns the
 * gradients checked, for further checks on the same case.
 */
export async function checkOpCase(
  c: OpCase,
  fixture: OpFixture,
  program: ReturnType<typeof caseProgram>,
  exec: Executor,
): Promise<[string, string, TensorId | undefined][]> {
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

  if (!c.gradOutput) return [];
  exec.write(program.gradOutput, fixture.get(c.gradOutput).data);
  expect(program.backward.length).toBe(1);
  exec.backward(0, c.training);
  const gradPairs = pairs(c.grads, program.grads);
  const computed = pairs(program.grads as Record<string, never>, program.grads).length;
  expect(gradPairs.length, 'gradients in the fixture').toBeGreaterThan(0);
  expect(computed, 'gradients computed vs in the fixture').toBeGreaterThanOrEqual(gradPairs.length);
  for (const [key, name, id] of gradPairs) {
    expect(id, `gradient of ${key}`).toBeDefined();
    expectClose(`${c.name} grad ${key}`, await exec.read(id!), fixture.get(name).data);
  }
  return gradPairs;
}

export interface OptimizerCase {
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

export type OptimizerFixture = Fixture<{ cases: OptimizerCase[] }>;

export const loadOptimizerFixture = (): OptimizerFixture =>
  loadFixture<{ cases: OptimizerCase[] }>('optimizers');

/** The engine's optimizer with the case's torch options. */
export function optimizerOf(c: OptimizerCase): Optimizer {
  const o = c.options;
  return c.optimizer === 'sgd'
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
}

/** A program holding one parameter, its gradient and optimizer state: what the update kernels see. */
export function oneParameter(shape: number[], update: 'sgd' | 'adam'): ProgramCore {
  const names = update === 'sgd' ? ['momentum_buffer'] : ['exp_avg', 'exp_avg_sq'];
  const tensors = ['param', 'grad', ...names].map((name, id) => ({
    id,
    name,
    shape,
    dtype: 'float32' as const,
    role: 'parameter' as const,
    persistent: true,
  }));
  const state = Object.fromEntries(names.map((n, i) => [n, i + 2]));
  return {
    tensors,
    forward: [],
    backward: [],
    optimizer: update,
    updates: [{ key: 'param', param: 0, grad: 1, state }],
    constants: [],
    plan: { slots: [], slotOf: tensors.map(() => -1), plannedBytes: 0, naiveBytes: 0, persistentBytes: 0 },
  };
}

/**
 * The case's steps on `exec` (bound to oneParameter at the case's shape, for `optimizer`): each step writes the
 * fixture's gradient, updates, and checks the parameter against torch's.
 */
export async function checkOptimizerCase(
  c: OptimizerCase,
  fixture: OptimizerFixture,
  optimizer: Optimizer,
  exec: Executor,
): Promise<void> {
  exec.write(0, fixture.get(`${c.name}/param`).data);
  for (let step = 0; step < c.steps; step++) {
    exec.write(1, fixture.get(`${c.name}/grad.${step}`).data);
    optimizer.step(exec);
    expectClose(
      `${c.name} step ${step + 1}`,
      await exec.read(0),
      fixture.get(`${c.name}/param.${step}`).data,
    );
  }
}

/** The networks with whole-network fixtures: LeNet-5 and the course's small ResNet, at the fixture's input size. */
export const NETWORKS: [string, () => Graph][] = [
  ['lenet', lenetGraph],
  ['resnet', () => resnetGraph(loadFixture<NetworkMeta>('resnet').meta.inputShape[1]!)],
];

const networkBatch = (fixture: Fixture<NetworkMeta>) => ({
  images: fixture.get('images').data as Float32Array,
  labels: fixture.get('labels').data as Int32Array,
});

/** Compares every state_dict entry after training with the fixture's `<prefix>.<key>`. */
async function expectState(
  exec: Executor<Program>,
  fixture: Fixture<NetworkMeta>,
  prefix: string,
): Promise<void> {
  const state = await readState(exec);
  for (const key of fixture.meta.keys) {
    const ours = state.get(key)!;
    const ref = fixture.get(`${prefix}.${key}`);
    if (ours.dtype === 'int64')
      expect(Array.from(ours.data, Number), `${prefix}.${key}`).toEqual(Array.from(ref.data));
    else expectClose(`${prefix}.${key}`, ours.data as Float32Array, ref.data);
  }
}

/**
 * From the fixture's initial state on `exec` (a program compiled with optimizer 'sgd'): train forward, one
 * SGD-momentum step, then eval forward, each checked against torch.
 */
export async function checkSgdStep(fixture: Fixture<NetworkMeta>, exec: Executor<Program>): Promise<void> {
  const batch = networkBatch(fixture);
  const { logits } = exec.program;
  loadState(exec, stateFrom(fixture, 'init'));
  const { lr, momentum, weight_decay } = fixture.meta.sgd;
  const result = await trainStep(exec, new SGD({ lr, momentum, weightDecay: weight_decay }), batch);
  expectClose('train logits', await exec.read(logits), fixture.get('train.logits').data);
  expectClose('sgd loss', [result.loss], fixture.get('sgd.loss').data);
  expect(result.correct).toBe(fixture.get('train.correct').data[0]);
  await expectState(exec, fixture, 'sgd');

  await inferStep(exec, batch);
  expectClose('eval logits', await exec.read(logits), fixture.get('eval.logits').data);
  await expectState(exec, fixture, 'sgd'); // eval mode leaves running stats and counters alone
}

/** From the fixture's initial state on `exec` (compiled with optimizer 'adam'): three Adam steps against torch. */
export async function checkAdamSteps(fixture: Fixture<NetworkMeta>, exec: Executor<Program>): Promise<void> {
  const batch = networkBatch(fixture);
  loadState(exec, stateFrom(fixture, 'init'));
  // NOTE: the ResNet fixture uses weight_decay, so conv biases feeding a BatchNorm (true gradient 0) get a
  // gradient well above float32 noise and every key meets the tolerance (see make_fixtures.py).
  const { lr, weight_decay } = fixture.meta.adam as { lr: number; weight_decay?: number };
  const adam = new Adam({ lr, weightDecay: weight_decay ?? 0 });
  const losses: number[] = [];
  for (let step = 0; step < 3; step++) losses.push((await trainStep(exec, adam, batch)).loss);
  expectClose('adam losses', losses, fixture.get('adam.loss').data);
  await expectState(exec, fixture, 'adam');
}
