// Opening a WebGPU device from any GPU entry point (navigator.gpu, or Node's `webgpu`), with the adapter's larger limits.
/// <reference types="@webgpu/types" />

import { GpuError, toGpuError } from './errors.ts';

/** The limits a training engine outgrows first; each is raised to what the adapter offers. */
export const WANTED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
  'maxUniformBufferBindingSize',
] as const;

export type WantedLimit = (typeof WANTED_LIMITS)[number];

export interface DeviceRequest {
  powerPreference?: GPUPowerPreference;
  /** Features to enable when the adapter has them (missing ones are skipped, not an error). */
  optionalFeatures?: readonly GPUFeatureName[];
  label?: string;
}

/** What the status bar shows about the adapter, and what variant choice is keyed on. */
export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True for software adapters (SwiftShader, WARP): slow, but WebGPU works. */
  isFallbackAdapter: boolean;
  limits: Record<WantedLimit, number>;
  features: string[];
  /**
   * The subgroup size when the device has the 'subgroups' feature and the adapter runs one fixed size (its
   * minimum and maximum agree; 4 on SwiftShader), else null. Kernels that share loads across a subgroup key on it.
   */
  subgroupSize: number | null;
}

/** Names of CPU (software) WebGPU implementations, as adapters report them. */
const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render|\bwarp\b|software/i;

type AdapterNames = Pick<
  AdapterSummary,
  'vendor' | 'architecture' | 'device' | 'description' | 'isFallbackAdapter'
>;

/**
 * Why this adapter runs shaders on the CPU (flagged as fallback, or named as a software rasteriser such as
 * SwiftShader), or null for hardware. The one rule the CLI's backend choice, the app and kernel variant choice use.
 */
export function softwareAdapter(summary: AdapterNames): string | null {
  if (summary.isFallbackAdapter) return 'the adapter reports itself as a fallback (software) adapter';
  const match = SOFTWARE_ADAPTER.exec(
    [summary.vendor, summary.architecture, summary.device, summary.description].join(' '),
  );
  return match ? `the adapter is ${match[0]}, a software renderer` : null;
}

export function isSoftwareAdapter(summary: AdapterNames): boolean {
  return softwareAdapter(summary) !== null;
}

export interface OpenedDevice {
  adapter: GPUAdapter;
  device: GPUDevice;
  summary: AdapterSummary;
}

/** The GPU entry point of a browser page or worker, or a GpuError saying how to get one. */
export function browserGpu(): GPU {
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (!gpu)
    throw new GpuError('noWebGpu', {
      detail: 'navigator.gpu is undefined (WebGPU also needs a secure context: https or http://localhost).',
    });
  return gpu;
}

export async function openDevice(gpu: GPU, request: DeviceRequest = {}): Promise<OpenedDevice> {
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: request.powerPreference ?? 'high-performance' });
  } catch (error) {
    throw new GpuError('noAdapter', { detail: String(error), cause: error });
  }
  if (!adapter) throw new GpuError('noAdapter', { detail: 'requestAdapter() returned null.' });

  const requiredLimits: Record<string, number> = {};
  for (const name of WANTED_LIMITS) {
    const offered = adapter.limits[name];
    if (typeof offered === 'number') requiredLimits[name] = offered;
  }
  // NOTE: 'subgroups' is always asked for: the software-adapter conv kernels share loads across a subgroup.
  const wanted = new Set<GPUFeatureName>(['subgroups', ...(request.optionalFeatures ?? [])]);
  const requiredFeatures = [...wanted].filter((f) => adapter.features.has(f));
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({
      label: request.label ?? 'neurocanvas',
      requiredLimits,
      requiredFeatures,
    });
  } catch (error) {
    throw toGpuError(error, 'deviceRequest');
  }
  return { adapter, device, summary: summarize(adapter, device) };
}

function summarize(adapter: GPUAdapter, device: GPUDevice): AdapterSummary {
  // NOTE: adapter.info is recent (Chrome 127+); older browsers have only requestAdapterInfo(). Missing fields read ''.
  const info = (adapter as { info?: Partial<GPUAdapterInfo> }).info ?? {};
  const limits = {} as Record<WantedLimit, number>;
  for (const name of WANTED_LIMITS) limits[name] = Number(device.limits[name]);
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    isFallbackAdapter: Boolean(
      (info as { isFallbackAdapter?: boolean }).isFallbackAdapter ??
        (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter,
    ),
    limits,
    features: [...device.features].sort(),
    subgroupSize: fixedSubgroupSize(device, info),
  };
}

function fixedSubgroupSize(device: GPUDevice, info: Partial<GPUAdapterInfo>): number | null {
  if (!device.features.has('subgroups')) return null;
  const sizes = info as { subgroupMinSize?: number; subgroupMaxSize?: number };
  const [min, max] = [sizes.subgroupMinSize, sizes.subgroupMaxSize];
  return typeof min === 'number' && min > 0 && min === max ? min : null;
}

/** One line for the status bar, e.g. "google swiftshader: SwiftShader driver 5.0.0 (software)". */
export function adapterLabel(summary: AdapterSummary): string {
  const who = [summary.vendor, summary.architecture].filter(Boolean).join(' ') || 'GPU';
  const what = summary.description || summary.device;
  return `${who}${what ? `: ${what}` : ''}${summary.isFallbackAdapter ? ' (software)' : ''}`;
}

/** The key that per-adapter choices (kernel variants) are cached under. */
export function adapterKey(summary: AdapterSummary): string {
  return [summary.vendor, summary.architecture, summary.device, summary.description].join('|');
}
