// Training batches prepared on the GPU (shaders/augment.wgsl): the whole uint8 data set lives in one device
// buffer; per batch, one dispatch gathers the samples, scales to 0-1, augments as engine/data/augment.ts does
// (same per-sample draw slots from the same batch key), normalises and writes float32 into a target buffer.

import type { DeviceDataSet, DevicePreprocess, Executor } from '../compile/backend.ts';
import type { TensorId } from '../compile/program.ts';
import type { ImageShape } from '../data/types.ts';
import { GpuError } from '../gpu/errors.ts';
import { BufferUsage, TENSOR_USAGE } from '../gpu/flags.ts';
import type { CompiledKernel, KernelSpec } from '../gpu/pipeline-cache.ts';
import type { GpuRuntime } from '../gpu/runtime.ts';
import { ELEMENT_WORKGROUP, Params } from './dispatch-plan.ts';

const BINDINGS = [
  'read-only-storage',
  'read-only-storage',
  'read-only-storage',
  'storage',
  'uniform',
] as const;

import type { InOrderRecorder } from './device-steps.ts';

/** What one batch is prepared with: augmentation (training only, or null) and per-channel normalisation. */
export type GpuPreprocess = DevicePreprocess;

/** The probability p as a threshold on the 24-bit draw: draw / 2^24 < p exactly when draw < ceil(p * 2^24). */
function threshold(p: number | undefined): number {
  if (!p || !(p > 0)) return 0;
  return Math.min(16777216, Math.ceil(p * 16777216));
}

/** cos and sin as turn() in engine/data/augment.ts (exact at quarter turns), from degrees. */
function turn(degrees: number): [number, number] {
  const angle = (degrees * Math.PI) / 180;
  const quarters = angle / (Math.PI / 2);
  if (Number.isInteger(Math.round(quarters * 1e9) / 1e9)) {
    const q = ((Math.round(quarters) % 4) + 4) % 4;
    return [[1, 0, -1, 0][q]!, [0, 1, 0, -1][q]!];
  }
  return [Math.cos(angle), Math.sin(angle)];
}

/** The kernel specialisation, uniforms and table for one set of options. */
function plan(shape: ImageShape, pre: GpuPreprocess) {
  const [channels, height, width] = shape;
  const a = pre.augment ?? {};
  const rotation = a.rotation;
  const angles = rotation && 'angles' in rotation && rotation.angles.length > 0 ? rotation.angles : null;
  const degrees = rotation && 'degrees' in rotation ? rotation.degrees : 0;
  const mode = angles ? 2 : rotation && 'degrees' in rotation ? 1 : 0;
  const [zoomMin, zoomMax] = a.scale ?? [1, 1];
  const shift = Math.floor(a.translate ?? 0);
  const pad = Math.floor(a.crop?.padding ?? 0);
  const erase = a.erase;
  const [areaMin, areaMax] = erase?.area ?? [0.02, 0.33];
  const [ratioMin, ratioMax] = erase?.ratio ?? [0.3, 3.3];
  const normalize = pre.normalize;
  const constants = {
    FLIP: threshold(a.horizontalFlip) > 0 || threshold(a.verticalFlip) > 0,
    ROTATION: mode,
    WARP: zoomMin !== 1 || zoomMax !== 1 || shift > 0,
    CROP: pad > 0,
    ERASE: threshold(erase?.probability) > 0,
    NOISE: !!a.noise,
    NORMALIZE: !!normalize,
  };
  const table = new Float32Array(2 * channels + 2 * (angles?.length ?? 0) + 2);
  for (let c = 0; c < channels; c++) {
    table[2 * c] = normalize?.mean[c] ?? 0;
    table[2 * c + 1] = normalize?.std[c] ?? 1;
  }
  for (const [k, degrees] of (angles ?? []).entries()) table.set(turn(degrees), 2 * (channels + k));
  const params = new Params()
    .u32(0, channels, height, width, 0)
    .u32(threshold(a.horizontalFlip), threshold(a.verticalFlip), threshold(erase?.probability))
    .u32(angles?.length ?? 0, Math.max(0, shift), Math.max(0, pad), channels * height * width)
    .f32(degrees, zoomMin, zoomMax, a.noise ?? 0)
    .f32(areaMin, areaMax, Math.log(ratioMin), Math.log(ratioMax));
  return { constants, table, params: new Uint32Array(params.bytes()) };
}

/**
 * The data set on the device, and the one dispatch that turns sample indices plus a batch key into model
 * input. NOTE: the per-batch indices and uniforms are written with queue.writeBuffer, so encode at most one
 * batch per submission (the training loop and the evaluator submit once per batch).
 */
export class GpuBatchSource implements DeviceDataSet {
  private readonly kernels = new Map<
    string,
    { kernel: CompiledKernel; table: GPUBuffer; words: Uint32Array }
  >();
  private indexBuffer: GPUBuffer | null = null;
  private readonly uniforms: GPUBuffer;
  private disposed = false;

  private constructor(
    private readonly runtime: GpuRuntime,
    private readonly data: GPUBuffer,
    readonly shape: ImageShape,
    readonly samples: number,
  ) {
    this.uniforms = runtime.device.createBuffer({
      label: 'augment params',
      size: 80,
      usage: BufferUsage.UNIFORM | BufferUsage.COPY_DST,
    });
  }

  /**
   * Why the data set cannot live on this device (too large for one storage binding or buffer), or null.
   * Callers fall back to the CPU path (engine/train/batches.ts) when this is not null.
   */
  static unfitReason(runtime: GpuRuntime, byteLength: number): string | null {
    const limits = runtime.device.limits;
    const bytes = Math.ceil(byteLength / 4) * 4;
    const limit = Math.min(Number(limits.maxStorageBufferBindingSize), Number(limits.maxBufferSize));
    if (bytes > limit)
      return `The data set (${bytes} bytes) is larger than one GPU storage buffer may be (${limit} bytes) on this device.`;
    if (bytes >= 2 ** 32) return `The data set (${bytes} bytes) is past 32-bit byte addressing.`;
    return null;
  }

  /** Uploads `images` (N x C x H x W bytes) once. Throws GpuError 'tooLarge' when it does not fit (see unfitReason). */
  static create(runtime: GpuRuntime, images: Uint8Array, shape: ImageShape): GpuBatchSource {
    const size = shape[0] * shape[1] * shape[2];
    if (size <= 0 || images.length % size !== 0)
      throw new RangeError(`${images.length} bytes are not whole samples of shape ${shape.join(' x ')}`);
    const reason = GpuBatchSource.unfitReason(runtime, images.byteLength);
    if (reason) throw new GpuError('tooLarge', { kernel: 'augment', detail: reason });
    runtime.check();
    const data = runtime.device.createBuffer({
      label: 'augment data set',
      size: Math.max(16, Math.ceil(images.byteLength / 4) * 4),
      usage: BufferUsage.STORAGE | BufferUsage.COPY_DST,
    });
    runtime.write(data, images);
    return new GpuBatchSource(runtime, data, shape, images.length / size);
  }

  /** Compiles (once) the kernel for these options; call before encode() with them. */
  async prepare(pre: GpuPreprocess): Promise<void> {
    const id = JSON.stringify(pre);
    if (this.kernels.has(id)) return;
    const { constants, table, params } = plan(this.shape, pre);
    const spec: KernelSpec = { name: 'augment', bindings: BINDINGS, constants };
    const kernel = await this.runtime.kernel(spec);
    if (this.kernels.has(id)) return;
    const buffer = this.runtime.device.createBuffer({
      label: 'augment table',
      size: table.byteLength,
      usage: TENSOR_USAGE,
    });
    this.runtime.write(buffer, table);
    this.kernels.set(id, { kernel, table: buffer, words: params });
  }

  /**
   * Records the batch of data-set samples `indices` under batch `key` into `target` (float32, at least
   * indices.length x C x H x W) as one compute pass on `encoder`. prepare(pre) must have resolved.
   */
  encode(
    encoder: GPUCommandEncoder,
    indices: ArrayLike<number>,
    key: number,
    pre: GpuPreprocess,
    target: GPUBuffer,
  ): void {
    if (this.disposed) throw new GpuError('closed');
    const entry = this.kernels.get(JSON.stringify(pre));
    if (!entry) throw new Error('GpuBatchSource.encode: call prepare() with these options first');
    const count = indices.length;
    const size = this.shape[0] * this.shape[1] * this.shape[2];
    if (target.size < count * size * 4)
      throw new RangeError(`Target buffer of ${target.size} bytes is too small for ${count} samples`);
    const list = new Uint32Array(Math.max(4, count));
    for (let i = 0; i < count; i++) {
      const at = indices[i]!;
      if (!(at >= 0 && at < this.samples && Number.isInteger(at)))
        throw new RangeError(`Sample index ${at} is outside the data set (${this.samples} samples)`);
      list[i] = at;
    }
    if (!this.indexBuffer || this.indexBuffer.size < list.byteLength) {
      this.indexBuffer?.destroy();
      this.indexBuffer = this.runtime.device.createBuffer({
        label: 'augment indices',
        size: Math.max(64, 2 ** Math.ceil(Math.log2(list.byteLength))),
        usage: TENSOR_USAGE,
      });
    }
    this.runtime.write(this.indexBuffer, list);
    const words = entry.words.slice();
    words[0] = count;
    words[4] = key >>> 0;
    this.runtime.write(this.uniforms, words);
    if (count === 0) return;
    const group = this.runtime.bind(entry.kernel, [
      this.data,
      this.indexBuffer,
      entry.table,
      { buffer: target, offset: 0, size: count * size * 4 },
      this.uniforms,
    ]);
    const pass = encoder.beginComputePass({ label: 'augment' });
    const pixels = count * this.shape[1] * this.shape[2];
    this.runtime.dispatch(pass, entry.kernel, group, Math.ceil(pixels / ELEMENT_WORKGROUP));
    pass.end();
  }

  /**
   * Records the batch into a GPU executor's step through its in-order hook, ahead of the forward pass that
   * reads `target` (engine/train/loop.ts on WebGPU).
   */
  writeBatch(
    exec: Executor,
    target: TensorId,
    indices: ArrayLike<number>,
    key: number,
    pre: DevicePreprocess,
  ): void {
    const recorder = exec as Partial<InOrderRecorder>;
    if (!recorder.recordInOrder || !recorder.buffer || recorder.runtime !== this.runtime)
      throw new Error('GpuBatchSource.writeBatch needs a WebGPU executor on the same device');
    const buffer = recorder.buffer(target);
    recorder.recordInOrder((encoder) => this.encode(encoder, indices, key, pre, buffer));
  }

  /** Prepares and submits one batch on its own (tests, or a loop that does not share the step's encoder). */
  async write(indices: ArrayLike<number>, key: number, pre: GpuPreprocess, target: GPUBuffer): Promise<void> {
    await this.prepare(pre);
    this.runtime.submit((encoder) => this.encode(encoder, indices, key, pre, target));
  }

  /** Frees the device buffers. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.data.destroy();
    this.uniforms.destroy();
    this.indexBuffer?.destroy();
    for (const { table } of this.kernels.values()) table.destroy();
    this.kernels.clear();
  }
}
