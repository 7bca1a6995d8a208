// The engine worker's backend choice: `auto` takes WebGPU on a hardware adapter and the CPU on a software one
// (where the CPU engine is faster, as the CLI's --backend auto decides); `gpu` and `cpu` force one.

import { describe, expect, it } from 'vitest';
import { cpuBackend } from '../../engine/cpu/backend.ts';
import { EngineSession } from '../../renderer/src/worker/session.ts';

/** A session whose "GPU" is a stand-in backend, described as software or hardware, or missing. */
function sessionWith(gpu: { software: boolean } | null): EngineSession {
  const fakeGpu = { ...cpuBackend, name: 'fake-webgpu' };
  return new EngineSession({
    openGpu: async () => {
      if (!gpu) throw new Error('No WebGPU adapter was found.');
      return { backend: fakeGpu, adapter: gpu.software ? 'google swiftshader' : 'nvidia ampere', ...gpu };
    },
    builtinMnist: async () => new Uint8Array(),
  });
}

describe('EngineSession.open', () => {
  it('auto picks WebGPU on a hardware adapter', async () => {
    const s = sessionWith({ software: false });
    expect(await s.open('auto')).toMatchObject({ backend: 'gpu', gpuAvailable: true, software: false });
    expect(s.backend().name).toBe('fake-webgpu');
  });

  it('auto picks the CPU on a software adapter, and gpu still forces WebGPU there', async () => {
    const s = sessionWith({ software: true });
    expect(await s.open('auto')).toMatchObject({ backend: 'cpu', gpuAvailable: true, software: true });
    expect(s.backend()).toBe(cpuBackend);
    expect(await s.open('gpu')).toMatchObject({ backend: 'gpu' });
    expect(s.backend().name).toBe('fake-webgpu');
    expect(await s.open('cpu')).toMatchObject({ backend: 'cpu' });
  });

  it('falls back to the CPU with the reason when no adapter opens, whatever was asked', async () => {
    const s = sessionWith(null);
    for (const prefer of ['auto', 'gpu', 'cpu'] as const)
      expect(await s.open(prefer)).toMatchObject({
        backend: 'cpu',
        gpuAvailable: false,
        reason: 'No WebGPU adapter was found.',
      });
  });
});
