// LeNet-5 and the course's small ResNet on the CPU backend against PyTorch: train and eval forward, one
// SGD-momentum step and three Adam steps, every updated weight, running statistic and counter.

import { describe, expect, it } from 'vitest';
import { compile } from '../../engine/compile/compile.ts';
import type { Program } from '../../engine/compile/program.ts';
import { cpuBackend } from '../../engine/cpu/backend.ts';
import type { Graph } from '../../engine/graph/types.ts';
import { Adam, SGD } from '../../engine/train/optimizers.ts';
import { loadState, readState } from '../../engine/train/state.ts';
import { inferStep, trainStep } from '../../engine/train/train-step.ts';
import {
  expectClose,
  type Fixture,
  lenetGraph,
  loadFixture,
  maxAbsError,
  type NetworkMeta,
  resnetGraph,
  stateFrom,
} from '../support/fixtures.ts';

const networks: [string, () => Graph][] = [
  ['lenet', lenetGraph],
  ['resnet', () => resnetGraph(loadFixture<NetworkMeta>('resnet').meta.inputShape[1]!)],
];

/** Compares every state_dict entry after training with the fixture's `<prefix>.<key>`. */
async function expectState(
  exec: Parameters<typeof readState>[0],
  fixture: Fixture<NetworkMeta>,
  prefix: string,
  skip: (key: string) => boolean = () => false,
): Promise<void> {
  const state = await readState(exec);
  for (const key of fixture.meta.keys) {
    if (skip(key)) continue;
    const ours = state.get(key)!;
    const ref = fixture.get(`${prefix}.${key}`);
    if (ours.dtype === 'int64')
      expect(Array.from(ours.data, Number), `${prefix}.${key}`).toEqual(Array.from(ref.data));
    else expectClose(`${prefix}.${key}`, ours.data as Float32Array, ref.data);
  }
}

/**
 * Conv biases whose only consumer is a BatchNorm (in training mode), and that BatchNorm's running_mean key.
 * NOTE: such a bias has a mathematically zero gradient (the BatchNorm subtracts it again); PyTorch and
 * this engine both compute float32 rounding noise there (~1e-8), on the scale of Adam's eps (1e-8), so
 * Adam moves each such bias by up to lr per step in a direction the noise picks, differently on each
 * side (and on PyTorch builds with other SIMD). The running_mean the bias feeds inherits the difference.
 * SGD moves them by lr * 1e-8 and matches; the Adam test bounds them by lr instead of the tolerance.
 */
function noiseDrivenUnderAdam(program: Program): Map<string, string> {
  const keyOf = new Map(program.state.map((s) => [s.tensor, s.key]));
  const found = new Map<string, string>();
  for (const step of program.forward) {
    if (step.op !== 'conv2d' || step.inputs.bias === undefined) continue;
    const consumers = program.forward.filter((s) => Object.values(s.inputs).flat().includes(step.output));
    const bn = consumers[0];
    if (consumers.length !== 1 || bn?.op !== 'batch_norm' || bn.inputs.running_mean === undefined) continue;
    found.set(keyOf.get(step.inputs.bias)!, keyOf.get(bn.inputs.running_mean)!);
  }
  return found;
}

function maxAbs(data: ArrayLike<number>): number {
  let m = 0;
  for (let k = 0; k < data.length; k++) m = Math.max(m, Math.abs(data[k]!));
  return m;
}

describe.each(networks)('%s matches PyTorch', (name, graph) => {
  const fixture = loadFixture<NetworkMeta>(name);
  const { batchSize } = fixture.meta;
  const batch = {
    images: fixture.get('images').data as Float32Array,
    labels: fixture.get('labels').data as Int32Array,
  };

  it('has PyTorch state_dict keys in PyTorch order', () => {
    const program = compile(graph(), batchSize, { optimizer: 'sgd' });
    expect(program.state.map((s) => s.key)).toEqual(fixture.meta.keys);
  });

  it('train forward, one SGD-momentum step, then eval forward', async () => {
    const program = compile(graph(), batchSize, { optimizer: 'sgd' });
    const exec = await cpuBackend.bind(program);
    loadState(exec, stateFrom(fixture, 'init'));
    const { lr, momentum, weight_decay } = fixture.meta.sgd;
    const result = await trainStep(exec, new SGD({ lr, momentum, weightDecay: weight_decay }), batch);
    expectClose('train logits', await exec.read(program.logits), fixture.get('train.logits').data);
    expectClose('sgd loss', [result.loss], fixture.get('sgd.loss').data);
    expect(result.correct).toBe(fixture.get('train.correct').data[0]);
    await expectState(exec, fixture, 'sgd');

    await inferStep(exec, batch);
    expectClose('eval logits', await exec.read(program.logits), fixture.get('eval.logits').data);
    await expectState(exec, fixture, 'sgd'); // eval mode leaves running stats and counters alone
  });

  it('three Adam steps', async () => {
    const program = compile(graph(), batchSize, { optimizer: 'adam' });
    const exec = await cpuBackend.bind(program);
    loadState(exec, stateFrom(fixture, 'init'));
    const lr = fixture.meta.adam.lr;
    const adam = new Adam({ lr });
    const noisy = noiseDrivenUnderAdam(program);
    const losses: number[] = [];
    for (let step = 0; step < 3; step++) {
      losses.push((await trainStep(exec, adam, batch)).loss);
      for (const u of program.updates.filter((u) => noisy.has(u.key)))
        expect(maxAbs(await exec.read(u.grad)), `${u.key} gradient is rounding noise`).toBeLessThan(1e-6);
    }
    expectClose('adam losses', losses, fixture.get('adam.loss').data);
    const skipped = new Set([...noisy.keys(), ...noisy.values()]);
    await expectState(exec, fixture, 'adam', (key) => skipped.has(key));
    // Each side moves a noise-driven bias by at most ~lr per step; the running mean sees the bias
    // difference before each forward, weighted by momentum (0.1) and decayed by 1 - momentum.
    const state = await readState(exec);
    for (const [bias, runningMean] of noisy) {
      const biasBound = 2 * lr * 3;
      const meanBound = 0.1 * (0.9 * 2 * lr + 4 * lr);
      const biasErr = maxAbsError(state.get(bias)!.data as Float32Array, fixture.get(`adam.${bias}`).data);
      const meanErr = maxAbsError(
        state.get(runningMean)!.data as Float32Array,
        fixture.get(`adam.${runningMean}`).data,
      );
      expect(biasErr, `adam.${bias} within Adam's step bound`).toBeLessThanOrEqual(biasBound);
      expect(meanErr, `adam.${runningMean} within the bound the bias implies`).toBeLessThanOrEqual(meanBound);
    }
    expect(noisy.size).toBe(name === 'resnet' ? 6 : 0);
  });
});
