// Picks the engine backend for the CLI: `--backend auto` (the default) takes WebGPU (Dawn on Node) when a
// hardware adapter opens, and the CPU reference otherwise, including on software adapters (SwiftShader, where
// the CPU backend is 2-3x faster); `gpu` and `cpu` force one. The WebGPU modules are imported only when
// needed, so `--backend cpu` never loads Dawn.

import type { Backend } from '../engine/compile/backend.ts';
import { cpuBackend } from '../engine/cpu/backend.ts';
import { startCpuThreads } from '../engine/cpu/gemm.ts';
import { nodeHelpers, nodeSpawner } from '../engine/cpu/node-threads.ts';
import { softwareAdapter } from '../engine/gpu/device.ts';
import { UsageError } from './args.ts';

export interface CliBackend {
  backend: Backend;
  /** For the user: `cpu` or `webgpu (adapter name)`. */
  description: string;
  /** One line: which backend and why (`--backend auto` picked ... because ...). */
  reason: string;
  /** The CPU backend's threads for large matrix products (the CPU backend only). */
  threads?: number;
  close(): void;
}

/** What the CLI needs to know about an adapter to choose (engine/gpu/device.ts AdapterSummary, in part). */
export interface AdapterFacts {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
  label: string;
}

interface OpenedRuntime {
  close(): void;
  info(): AdapterFacts;
}

interface GpuModules {
  openNodeRuntime(): Promise<OpenedRuntime>;
  webgpuBackend(runtime: unknown): Backend;
}

// NOTE: specifiers in variables, so the build does not need the WebGPU backend to exist to typecheck the CLI.
const NODE_DEVICE = '../engine/gpu/node-device.ts';
const WEBGPU = '../engine/webgpu/index.ts';

/** The WebGPU modules, or why they cannot load (not in this build, or Dawn's native addon fails to load). */
async function gpuModules(): Promise<GpuModules | string> {
  const missing = 'this build has no WebGPU backend';
  try {
    const [device, webgpu] = await Promise.all([import(NODE_DEVICE), import(WEBGPU)]);
    if (typeof device.openNodeRuntime !== 'function' || typeof webgpu.webgpuBackend !== 'function')
      return missing;
    return { openNodeRuntime: device.openNodeRuntime, webgpuBackend: webgpu.webgpuBackend };
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') return missing;
    return `WebGPU (Dawn) could not be loaded: ${(error as Error).message}`;
  }
}

/** The CPU backend, with helper threads for its large matrix products (one per further core). */
async function CPU(reason: string): Promise<CliBackend> {
  const helpers = await startCpuThreads(nodeSpawner, nodeHelpers());
  return {
    backend: cpuBackend,
    description: 'cpu',
    threads: helpers + 1,
    reason,
    close: () => {},
  };
}

/** `auto` (default), `gpu` (also `webgpu`) or `cpu`. */
export async function openBackend(choice: string | undefined): Promise<CliBackend> {
  const name = choice ?? 'auto';
  if (name === 'cpu') return CPU('backend cpu (asked for with --backend cpu)');
  if (name !== 'gpu' && name !== 'webgpu' && name !== 'auto')
    throw new UsageError(`--backend must be auto, gpu or cpu, not "${name}"`);
  const auto = name === 'auto';
  const modules = await gpuModules();
  if (typeof modules === 'string') {
    if (auto) return CPU(`backend cpu (auto: ${modules})`);
    throw new UsageError(`--backend gpu: ${modules}; use --backend cpu`);
  }
  let runtime: OpenedRuntime;
  try {
    runtime = await modules.openNodeRuntime();
  } catch (error) {
    const why = (error as Error).message;
    if (auto) return CPU(`backend cpu (auto: no WebGPU adapter could be opened: ${why})`);
    throw new UsageError(`--backend gpu: no WebGPU device could be opened (${why}); use --backend cpu`);
  }
  const info = runtime.info();
  const software = softwareAdapter(info);
  if (auto && software) {
    runtime.close();
    return CPU(`backend cpu (auto: ${software}; the CPU backend is faster there; --backend gpu forces it)`);
  }
  const description = info.label ? `webgpu (${info.label})` : 'webgpu';
  return {
    backend: modules.webgpuBackend(runtime),
    description,
    reason: auto
      ? `backend ${description} (auto: a hardware GPU adapter)`
      : `backend ${description} (asked for with --backend gpu${software ? `; note: ${software}` : ''})`,
    close: () => runtime.close(),
  };
}
