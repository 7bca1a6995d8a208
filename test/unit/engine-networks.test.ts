// LeNet-5 and the course's small ResNet on the CPU backend against PyTorch: train and eval forward, one
// SGD-momentum step and three Adam steps, every updated weight, running statistic and counter within 1e-4.

import { describe, expect, it } from 'vitest';
import { compile } from '../../engine/compile/compile.ts';
import { cpuBackend } from '../../engine/cpu/backend.ts';
import { checkAdamSteps, checkSgdStep, NETWORKS } from '../support/fixture-cases.ts';
import { loadFixture, type NetworkMeta } from '../support/fixtures.ts';

describe.each(NETWORKS)('%s matches PyTorch', (name, graph) => {
  const fixture = loadFixture<NetworkMeta>(name);
  const { batchSize } = fixture.meta;

  it('has PyTorch state_dict keys in PyTorch order', () => {
    const program = compile(graph(), batchSize, { optimizer: 'sgd' });
    expect(program.state.map((s) => s.key)).toEqual(fixture.meta.keys);
  });

  it('train forward, one SGD-momentum step, then eval forward', async () => {
    const program = compile(graph(), batchSize, { optimizer: 'sgd' });
    await checkSgdStep(fixture, await cpuBackend.bind(program));
  });

  it('three Adam steps', async () => {
    const program = compile(graph(), batchSize, { optimizer: 'adam' });
    await checkAdamSteps(fixture, await cpuBackend.bind(program));
  });
});
