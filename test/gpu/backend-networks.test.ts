// LeNet-5 and the course's small ResNet on the WebGPU backend against the same PyTorch fixtures as the CPU
// tests: train and eval forward, one SGD-momentum step, three Adam steps, every updated weight, running
// statistic and counter within 1e-4 x max(1, max |reference|). Fails, not skips, without an adapter.

import { describe, it } from 'vitest';
import { compile } from '../../engine/compile/compile.ts';
import { webgpuBackend } from '../../engine/webgpu/index.ts';
import { checkAdamSteps, checkSgdStep, NETWORKS } from '../support/fixture-cases.ts';
import { loadFixture, type NetworkMeta } from '../support/fixtures.ts';
import { sharedRuntime } from './fixture.ts';

// NOTE: no skip when WebGPU is missing: opening the runtime throws a GpuError and every test here fails.
const gpu = sharedRuntime();
const backend = async () => webgpuBackend(await gpu(), { matmulVariant: 'blocked8x8' });

describe.each(NETWORKS)('%s on WebGPU matches PyTorch', (name, graph) => {
  const fixture = loadFixture<NetworkMeta>(name);
  const { batchSize } = fixture.meta;

  it('train forward, one SGD-momentum step, then eval forward', async () => {
    const program = compile(graph(), batchSize, { optimizer: 'sgd' });
    const exec = await (await backend()).bind(program);
    try {
      await checkSgdStep(fixture, exec);
    } finally {
      exec.dispose();
    }
  });

  it('three Adam steps', async () => {
    const program = compile(graph(), batchSize, { optimizer: 'adam' });
    const exec = await (await backend()).bind(program);
    try {
      await checkAdamSteps(fixture, exec);
    } finally {
      exec.dispose();
    }
  });
});
