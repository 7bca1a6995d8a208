// LeNet-5 and the course's small ResNet on the CPU backend against PyTorch: train and eval forward, one
// SGD-momentum step and three Adam steps, every updated weight, running statistic and counter within 1e-4.

import { describe, expect, it } from 'vitest';
import { compile } from '../../engine/compile/compile.ts';
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
    // NOTE: the ResNet fixture uses weight_decay, so conv biases feeding a BatchNorm (true gradient 0) get a
    // gradient well above float32 noise and every key meets the tolerance (see make_fixtures.py).
    const { lr, weight_decay } = fixture.meta.adam as { lr: number; weight_decay?: number };
    const adam = new Adam({ lr, weightDecay: weight_decay ?? 0 });
    const losses: number[] = [];
    for (let step = 0; step < 3; step++) losses.push((await trainStep(exec, adam, batch)).loss);
    expectClose('adam losses', losses, fixture.get('adam.loss').data);
    await expectState(exec, fixture, 'adam');
  });
});
