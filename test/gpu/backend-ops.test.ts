// Every primitive op and optimizer update on the WebGPU backend (SwiftShader in CI) against the same PyTorch
// fixtures as the CPU tests: outputs, updated state and gradients, a second backward that accumulates, and
// SGD / Adam / AdamW step by step. Fails, not skips, without an adapter.

import { describe, expect, it } from 'vitest';
import { type WebGpuBackendOptions, webgpuBackend } from '../../engine/webgpu/index.ts';
import {
  caseProgram,
  checkOpCase,
  checkOptimizerCase,
  loadOpFixture,
  loadOptimizerFixture,
  type OpCase,
  oneParameter,
  optimizerOf,
  pairs,
} from '../support/fixture-cases.ts';
import { expectClose } from '../support/fixtures.ts';
import { sharedRuntime } from './fixture.ts';

const fixture = loadOpFixture();
// NOTE: no skip when WebGPU is missing: opening the runtime throws a GpuError and every test here fails.
const gpu = sharedRuntime();

/** One fixture case on a backend with these options: output, state after forward, gradients, accumulation. */
async function checkCase(c: OpCase, options: WebGpuBackendOptions): Promise<void> {
  const backend = webgpuBackend(await gpu(), options);
  const program = caseProgram(c, fixture);
  const exec = await backend.bind(program);
  try {
    const gradPairs = await checkOpCase(c, fixture, program, exec);
    if (!c.gradOutput) return;
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

describe('WebGPU optimizer updates match torch 1.13 step by step', () => {
  const optimizers = loadOptimizerFixture();
  it.each(optimizers.meta.cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const optimizer = optimizerOf(c);
    const param = optimizers.get(`${c.name}/param`);
    const exec = await webgpuBackend(await gpu()).bind(oneParameter(param.shape, optimizer.update));
    try {
      await checkOptimizerCase(c, optimizers, optimizer, exec);
    } finally {
      exec.dispose();
    }
  });
});
