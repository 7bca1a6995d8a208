// Node only: the GPU entry point from the `webgpu` package (Dawn), SwiftShader set-up, and shaders/ read from disk.
// NOTE: the one engine file allowed Node built-ins; nothing browser-side may import it (engine/gpu/index.ts does not).

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { create, globals } from 'webgpu';
import type { DeviceRequest } from './device.ts';
import { GpuError } from './errors.ts';
import { GpuRuntime } from './runtime.ts';
import type { ShaderSource } from './shader-source.ts';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const SHADER_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'shaders');

export interface NodeGpuOptions {
  /** Extra Dawn flags for create(), e.g. 'enable-dawn-features=disable_robustness'. */
  dawnFlags?: readonly string[];
  /**
   * Poll Dawn every millisecond instead of spinning (default true). Dawn's Node binding polls by re-queueing
   * setImmediate while any GPU promise is pending, which keeps the main thread at 100% CPU and, on a 2-core
   * machine running SwiftShader, takes a core away from the shaders.
   */
  politePolling?: boolean;
}

// NOTE: keep the object create() returns alive for the whole process: if it is garbage-collected, Dawn aborts.
let keptGpu: GPU | null = null;
let keptFlags = '';

/** The process-wide Node GPU entry point; created once, with SwiftShader as the Vulkan driver when none is set. */
export function nodeGpu(options: NodeGpuOptions = {}): GPU {
  const flags = [...(options.dawnFlags ?? [])];
  if (keptGpu) {
    if (flags.join(' ') !== keptFlags)
      throw new Error(
        `nodeGpu() was already created with flags [${keptFlags}]; one Dawn instance per process`,
      );
    return keptGpu;
  }
  // NOTE: Dawn reads VK_ICD_FILENAMES when the instance is created, so this must run before create().
  if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD))
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  for (const [name, value] of Object.entries(globals)) {
    if (!(name in globalThis)) (globalThis as Record<string, unknown>)[name] = value;
  }
  if (options.politePolling ?? true) installPolitePolling();
  keptGpu = create(flags);
  keptFlags = flags.join(' ');
  return keptGpu;
}

let pollingInstalled = false;

function installPolitePolling(): void {
  if (pollingInstalled) return;
  pollingInstalled = true;
  const original = globalThis.setImmediate;
  // NOTE: Dawn's tick callback is a native function re-queued with setImmediate for as long as a promise is
  // pending. Only native callbacks are delayed (by a 1 ms timer); JavaScript callers keep setImmediate as is.
  const patched = ((callback: (...args: unknown[]) => void, ...args: unknown[]) =>
    isNative(callback)
      ? setTimeout(callback, 1, ...args)
      : original(callback, ...args)) as typeof setImmediate;
  globalThis.setImmediate = Object.assign(patched, original);
}

function isNative(fn: unknown): boolean {
  return typeof fn === 'function' && Function.prototype.toString.call(fn).includes('[native code]');
}

/** Reads shaders/<name>.wgsl from the repository (cached per name). */
export function nodeShaderSource(directory: string = SHADER_DIR): ShaderSource {
  const cache = new Map<string, string>();
  return (name) => {
    let text = cache.get(name);
    if (text === undefined) {
      const path = join(directory, `${name}.wgsl`);
      try {
        text = readFileSync(path, 'utf8');
      } catch (error) {
        throw new GpuError('shaderCompile', {
          kernel: name,
          detail: `Cannot read ${path}: ${error}`,
          cause: error,
        });
      }
      cache.set(name, text);
    }
    return text;
  };
}

export interface NodeRuntimeOptions extends NodeGpuOptions, DeviceRequest {
  shaderSource?: ShaderSource;
}

/** A GpuRuntime on Node's GPU with shaders read from disk: what tests, benchmarks and the CLI use. */
export function openNodeRuntime(options: NodeRuntimeOptions = {}): Promise<GpuRuntime> {
  return GpuRuntime.open(nodeGpu(options), options.shaderSource ?? nodeShaderSource(), options);
}
