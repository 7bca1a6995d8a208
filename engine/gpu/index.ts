// The WebGPU runtime's public surface, safe for browsers and workers (Node's entry point is node-device.ts).

export { BufferPool, type BufferPoolStats, formatBytes } from './buffer-pool.ts';
export { CONV_VARIANTS, type ConvVariant, chooseConvVariant, chooseSubgroupLoads } from './conv-choose.ts';
export {
  type AdapterSummary,
  adapterKey,
  adapterLabel,
  browserGpu,
  type DeviceRequest,
  isSoftwareAdapter,
  type OpenedDevice,
  openDevice,
  softwareAdapter,
  WANTED_LIMITS,
} from './device.ts';
export { encodeDispatch, foldWorkgroups, gridFor, type WorkgroupGrid } from './dispatch.ts';
export { GPU_PROBLEMS, GpuError, type GpuErrorCode, type GpuErrorKind, toGpuError } from './errors.ts';
export { BufferUsage, MapMode, ShaderStage, TENSOR_USAGE } from './flags.ts';
export {
  MATMUL_VARIANTS,
  type MatmulBuffers,
  type MatmulShape,
  type MatmulSplit,
  type MatmulVariant,
  matmulKernel,
  matmulParams,
  matmulSplit,
  normalizeShape,
  type PreparedMatmul,
  prepareMatmul,
  runMatmul,
  SPLIT_MIN_CHUNK,
  SPLIT_MIN_K,
  SPLIT_TARGET_WORKGROUPS,
  splitPartialsBytes,
  splitReduceKernel,
} from './matmul.ts';
export {
  CHOICE_SIZE,
  chooseVariant,
  forgetVariantChoices,
  type MeasureOptions,
  timeVariants,
  type VariantChoice,
  type VariantTiming,
  variantChoice,
} from './matmul-choose.ts';
export { matmulReference } from './matmul-reference.ts';
export {
  type BindingKind,
  type CompiledKernel,
  type KernelSpec,
  kernelKey,
  PipelineCache,
} from './pipeline-cache.ts';
export { type BindingResource, type GpuInfo, GpuRuntime, type ReadRequest } from './runtime.ts';
export { type ShaderSource, shaderSourceFromFiles, withExtraShaders } from './shader-source.ts';
