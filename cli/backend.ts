// Picks the engine backend for the CLI: the CPU reference, or WebGPU (Dawn on Node) when it is in this build and
// a GPU adapter opens. The WebGPU modules are imported only when asked for, so the CPU path never loads Dawn.

import type { Backend } from '../engine/compile/backend.ts';
import { cpuBackend } from '../engine/cpu/backend.ts';
import { UsageError } from './args.ts';

export interface CliBackend {
  backend: Backend;
  /** For the user: `cpu` or `webgpu (adapter name)`. */
  description: string;
  close(): void;
}

interface GpuModules {
  openNodeRuntime(): Promise<{ close(): void; info?(): { label?: string } }>;
  webgpuBackend(runtime: unknown): Backend;
}

// NOTE: specifiers in variables, so the build does not need the WebGPU backend to exist to typecheck the CLI.
const NODE_DEVICE = '../engine/gpu/node-device.ts';
const WEBGPU = '../engine/webgpu/index.ts';

async function gpuModules(): Promise<GpuModules | null> {
  try {
    const [device, webgpu] = await Promise.all([import(NODE_DEVICE), import(WEBGPU)]);
    if (typeof device.openNodeRuntime !== 'function' || typeof webgpu.webgpuBackend !== 'function')
      return null;
    return { openNodeRuntime: device.openNodeRuntime, webgpuBackend: webgpu.webgpuBackend };
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') return null;
    throw error;
  }
}

/**
 * `cpu`, `gpu`, or nothing. NOTE: the default is the CPU for now; once the WebGPU backend trains every layer,
 * the default becomes gpu-when-available.
 */
export async function openBackend(choice: string | undefined): Promise<CliBackend> {
  const name = choice ?? 'cpu';
  if (name === 'cpu') return { backend: cpuBackend, description: 'cpu', close: () => {} };
  if (name !== 'gpu' && name !== 'webgpu')
    throw new UsageError(`--backend must be cpu or gpu, not "${name}"`);
  const modules = await gpuModules();
  if (!modules)
    throw new UsageError(
      '--backend gpu: this build has no WebGPU backend yet (engine/webgpu); use --backend cpu',
    );
  let runtime: Awaited<ReturnType<GpuModules['openNodeRuntime']>>;
  try {
    runtime = await modules.openNodeRuntime();
  } catch (error) {
    throw new UsageError(
      `--backend gpu: no WebGPU device could be opened (${(error as Error).message}); use --backend cpu`,
    );
  }
  const adapter = runtime.info?.().label;
  return {
    backend: modules.webgpuBackend(runtime),
    description: adapter ? `webgpu (${adapter})` : 'webgpu',
    close: () => runtime.close(),
  };
}
