// The engine worker's entry point in the browser and the desktop app: WebGPU from the worker's navigator.gpu
// (shaders bundled by Vite), the built-in digits fetched from their bundled asset, and the protocol host.
/// <reference types="@webgpu/types" />

import { startCpuThreads } from '../../../engine/cpu/gemm.ts';
import { webSpawner } from '../../../engine/cpu/threads.ts';
import mnistUrl from '../../../engine/data/assets/mnist-10k.bin?url';
import {
  browserGpu,
  GPU_PROBLEMS,
  GpuError,
  GpuRuntime,
  isSoftwareAdapter,
} from '../../../engine/gpu/index.ts';
import { viteShaderSource } from '../../../engine/gpu/vite-shaders.ts';
import { webgpuBackend } from '../../../engine/webgpu/index.ts';
import { type HostPort, serveEngine } from './host.ts';

async function openGpu() {
  let runtime: GpuRuntime;
  try {
    runtime = await GpuRuntime.open(browserGpu(), viteShaderSource);
  } catch (error) {
    // The catalogue's title says what is missing; its advice says what to do.
    if (error instanceof GpuError) {
      const problem = GPU_PROBLEMS[error.kind];
      throw new Error(`${problem.title}. ${problem.advice}`);
    }
    throw error;
  }
  const info = runtime.info();
  return {
    backend: webgpuBackend(runtime),
    adapter: info.label,
    software: isSoftwareAdapter(info),
  };
}

async function builtinMnist(): Promise<Uint8Array> {
  const response = await fetch(mnistUrl);
  if (!response.ok) throw new Error(`The built-in digits could not be loaded (HTTP ${response.status}).`);
  return new Uint8Array(await response.arrayBuffer());
}

/** One helper per further core (8 threads at most); none where the page is not cross-origin isolated. */
function cpuThreads(): Promise<number> {
  return startCpuThreads(webSpawner, Math.min(navigator.hardwareConcurrency || 1, 8) - 1);
}

serveEngine(self as unknown as HostPort, { openGpu, builtinMnist, startCpuThreads: cpuThreads });
