// GpuError: every failure of the WebGPU runtime as one typed error with a stable code and advice the user can act on.

/** The catalogue of GPU problems: one stable code per kind, as engine/problems.ts does for graph problems. */
export const GPU_PROBLEMS = {
  noWebGpu: {
    code: 'GPU001',
    title: 'WebGPU is not available',
    advice:
      'Use a browser with WebGPU (Chrome or Edge 113+, Safari 18+) or the desktop app; in Node the `webgpu` package must be installed.',
  },
  noAdapter: {
    code: 'GPU002',
    title: 'No GPU adapter found',
    advice:
      'Update the graphics driver, or enable WebGPU in the browser settings. On Linux without a GPU, install SwiftShader (Debian package `chromium`) and set VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json.',
  },
  deviceRequest: {
    code: 'GPU003',
    title: 'The GPU device could not be opened',
    advice:
      'Close other programs that use the GPU and try again; if it persists, update the graphics driver.',
  },
  deviceLost: {
    code: 'GPU004',
    title: 'The GPU device was lost',
    advice:
      'The driver reset or the GPU was removed. Training stopped and kept its last good weights; start it again to continue on a new device.',
  },
  shaderCompile: {
    code: 'GPU005',
    title: 'A GPU kernel failed to compile',
    advice: 'This is a bug in NeuroCanvas or in the GPU driver; please report it with the message below.',
  },
  validation: {
    code: 'GPU006',
    title: 'The GPU rejected a command',
    advice: 'This is a bug in NeuroCanvas; please report it with the message below.',
  },
  outOfMemory: {
    code: 'GPU007',
    title: 'The GPU ran out of memory',
    advice: 'Lower the batch size or the image size, or close other programs that use the GPU.',
  },
  internal: {
    code: 'GPU008',
    title: 'The GPU driver reported an internal error',
    advice: 'Try again; if it persists, update the graphics driver.',
  },
  tooLarge: {
    code: 'GPU009',
    title: 'A buffer is larger than this GPU allows',
    advice: 'Lower the batch size, the image size or the layer widths.',
  },
  readback: {
    code: 'GPU010',
    title: 'Reading results back from the GPU failed',
    advice: 'The device was probably lost; start again.',
  },
  closed: {
    code: 'GPU011',
    title: 'The GPU runtime was closed',
    advice: 'Open a new runtime before running more work.',
  },
} as const;

export type GpuErrorKind = keyof typeof GPU_PROBLEMS;
export type GpuErrorCode = (typeof GPU_PROBLEMS)[GpuErrorKind]['code'];

export interface GpuErrorOptions {
  /** The kernel (shader file name without `.wgsl`) at fault, when there is one. */
  kernel?: string;
  /** The driver's or browser's own message, kept verbatim for bug reports. */
  detail?: string;
  cause?: unknown;
}

export class GpuError extends Error {
  override readonly name = 'GpuError';
  readonly kind: GpuErrorKind;
  readonly code: GpuErrorCode;
  readonly kernel: string | undefined;
  readonly detail: string | undefined;
  /** Fatal errors mean the device can no longer be trusted: stop the run, keep the last good weights. */
  readonly fatal: boolean;

  constructor(kind: GpuErrorKind, options: GpuErrorOptions = {}) {
    const problem = GPU_PROBLEMS[kind];
    const where = options.kernel ? ` (kernel "${options.kernel}")` : '';
    const detail = options.detail ? `\n${options.detail.trim()}` : '';
    super(`${problem.code} ${problem.title}${where}. ${problem.advice}${detail}`, { cause: options.cause });
    this.kind = kind;
    this.code = problem.code;
    this.kernel = options.kernel;
    this.detail = options.detail;
    this.fatal =
      kind === 'deviceLost' || kind === 'outOfMemory' || kind === 'internal' || kind === 'validation';
  }
}

/** Wraps anything thrown by a WebGPU call: a GpuError passes through, a DOM GPUError is classified by type. */
export function toGpuError(error: unknown, fallback: GpuErrorKind, kernel?: string): GpuError {
  if (error instanceof GpuError) return error;
  return new GpuError(classify(error) ?? fallback, { kernel, detail: messageOf(error), cause: error });
}

// NOTE: in Node the GPU*Error classes are not globals unless installed, so classify by constructor name, not instanceof.
function classify(error: unknown): GpuErrorKind | undefined {
  const type = (error as { constructor?: { name?: string } } | null)?.constructor?.name;
  if (type === 'GPUOutOfMemoryError') return 'outOfMemory';
  if (type === 'GPUInternalError') return 'internal';
  if (type === 'GPUValidationError') return 'validation';
  return undefined;
}

function messageOf(error: unknown): string {
  if (error && typeof error === 'object' && 'message' in error) return String(error.message);
  return String(error);
}
