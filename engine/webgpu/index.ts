// The WebGPU backend's public surface (browser-safe; Node opens its runtime with engine/gpu/node-device.ts).

export { type WebGpuBackend, type WebGpuBackendOptions, webgpuBackend } from './backend.ts';
export { convFlops, convGeometry } from './conv2d-passes.ts';
export { GpuExecutor } from './executor.ts';
export { GPU_KERNELS } from './kernels.ts';
