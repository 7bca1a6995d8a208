// GpuRuntime: one opened device with its buffer pool, pipeline cache, transfers, dispatch and error watch.
/// <reference types="@webgpu/types" />

import { BufferPool } from './buffer-pool.ts';
import { type AdapterSummary, adapterLabel, type DeviceRequest, openDevice } from './device.ts';
import { encodeDispatch, type WorkgroupGrid } from './dispatch.ts';
import { GpuError, toGpuError } from './errors.ts';
import { BufferUsage, MapMode, TENSOR_USAGE } from './flags.ts';
import { type CompiledKernel, type KernelSpec, PipelineCache } from './pipeline-cache.ts';
import type { ShaderSource } from './shader-source.ts';

export interface ReadRequest {
  buffer: GPUBuffer;
  /** Bytes to read; defaults to the whole buffer (pooled buffers can be larger than their tensor). */
  byteLength?: number;
  byteOffset?: number;
}

export type BindingResource = GPUBuffer | GPUBufferBinding;

export interface GpuInfo extends AdapterSummary {
  /** One line for the status bar. */
  label: string;
}

export class GpuRuntime {
  readonly buffers: BufferPool;
  readonly pipelines: PipelineCache;
  /** Resolves (never rejects) with the first fatal error: device loss or an uncaptured GPU error. */
  readonly failed: Promise<GpuError>;
  private failure: GpuError | null = null;
  private closed = false;
  private readonly listeners = new Set<(error: GpuError) => void>();
  private readonly waiters = new Set<(error: GpuError) => void>();
  private resolveFailed!: (error: GpuError) => void;
  private placeholder: GPUBuffer | null = null;

  private constructor(
    readonly device: GPUDevice,
    readonly summary: AdapterSummary,
    shaderSource: ShaderSource,
  ) {
    this.buffers = new BufferPool(device);
    this.pipelines = new PipelineCache(device, shaderSource);
    this.failed = new Promise((resolve) => {
      this.resolveFailed = resolve;
    });
    void device.lost.then((info) => {
      // Our own close() destroys the device: that is not a failure.
      if (this.closed && info.reason === 'destroyed') return;
      this.fail(new GpuError('deviceLost', { detail: `Reason: ${info.reason}. ${info.message}` }));
    });
    const onError = (event: Event) =>
      this.fail(toGpuError((event as GPUUncapturedErrorEvent).error, 'validation'));
    if (typeof device.addEventListener === 'function') device.addEventListener('uncapturederror', onError);
    else device.onuncapturederror = onError;
  }

  /** Opens a device on a GPU entry point (browserGpu() or nodeGpu()) and wraps it. */
  static async open(gpu: GPU, shaderSource: ShaderSource, request?: DeviceRequest): Promise<GpuRuntime> {
    const { device, summary } = await openDevice(gpu, request);
    return new GpuRuntime(device, summary, shaderSource);
  }

  /** The adapter, for the status bar: vendor, architecture, description and a one-line label. */
  info(): GpuInfo {
    return { ...this.summary, label: adapterLabel(this.summary) };
  }

  /** The first fatal error so far, or null. */
  get error(): GpuError | null {
    return this.failure;
  }

  /** Calls `listener` with each error (fatal ones included); returns the function that unsubscribes. */
  onError(listener: (error: GpuError) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Throws the first fatal error, or a 'closed' error after close(). */
  check(): void {
    if (this.failure) throw this.failure;
    if (this.closed) throw new GpuError('closed');
  }

  /** Waits for `promise`, but rejects with the runtime's fatal error if one comes first (a lost device never answers). */
  settle<T>(promise: Promise<T>): Promise<T> {
    this.check();
    // NOTE: not Promise.race with `failed`: each race would leave a reaction on that long-pending promise,
    // and a training run makes millions of calls.
    return new Promise<T>((resolve, reject) => {
      this.waiters.add(reject);
      promise.then(
        (value) => {
          this.waiters.delete(reject);
          resolve(value);
        },
        (error: unknown) => {
          this.waiters.delete(reject);
          reject(error);
        },
      );
    });
  }

  kernel(spec: KernelSpec): Promise<CompiledKernel> {
    this.check();
    return this.settle(this.pipelines.get(spec));
  }

  bind(kernel: CompiledKernel, resources: readonly BindingResource[]): GPUBindGroup {
    return this.device.createBindGroup({
      label: kernel.spec.name,
      layout: kernel.layout,
      entries: resources.map((r, binding) => ({ binding, resource: 'buffer' in r ? r : { buffer: r } })),
    });
  }

  /** Records a dispatch; a plain workgroup count above the device's per-dimension limit is folded into 2-D/3-D. */
  dispatch(
    pass: GPUComputePassEncoder,
    kernel: CompiledKernel,
    bindGroup: GPUBindGroup,
    workgroups: number | WorkgroupGrid,
  ): void {
    encodeDispatch(
      pass,
      kernel.pipeline,
      bindGroup,
      workgroups,
      this.device.limits.maxComputeWorkgroupsPerDimension,
    );
  }

  /** Encodes with `record`, submits one command buffer. Does not wait: use done() or a readback for that. */
  submit(record: (encoder: GPUCommandEncoder) => void): void {
    this.check();
    const encoder = this.device.createCommandEncoder();
    record(encoder);
    this.device.queue.submit([encoder.finish()]);
  }

  /** Runs one kernel in its own pass and submission: for tests and one-off work, not for training steps. */
  run(
    kernel: CompiledKernel,
    resources: readonly BindingResource[],
    workgroups: number | WorkgroupGrid,
  ): void {
    const group = this.bind(kernel, resources);
    this.submit((encoder) => {
      const pass = encoder.beginComputePass({ label: kernel.spec.name });
      this.dispatch(pass, kernel, group, workgroups);
      pass.end();
    });
  }

  /** Resolves when all submitted work has finished on the GPU. */
  done(): Promise<void> {
    return this.settle(this.device.queue.onSubmittedWorkDone());
  }

  /** A pooled buffer holding `data` (release it with buffers.release when done). */
  upload(data: ArrayBufferView, usage: GPUBufferUsageFlags = TENSOR_USAGE, label?: string): GPUBuffer {
    this.check();
    const buffer = this.buffers.acquire(data.byteLength, usage | BufferUsage.COPY_DST, label);
    this.write(buffer, data);
    return buffer;
  }

  write(buffer: GPUBuffer, data: ArrayBufferView, byteOffset = 0): void {
    // NOTE: writeBuffer needs a multiple of 4 bytes; pad odd-sized data (e.g. Uint8Array labels) with zeros.
    let bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (bytes.byteLength % 4 !== 0) {
      const padded = new Uint8Array(Math.ceil(bytes.byteLength / 4) * 4);
      padded.set(bytes);
      bytes = padded;
    }
    this.device.queue.writeBuffer(buffer, byteOffset, bytes as Uint8Array<ArrayBuffer>);
  }

  /** A 16-byte storage buffer for optional bindings a kernel leaves unused (e.g. no bias). */
  emptyStorage(): GPUBuffer {
    this.placeholder ??= this.device.createBuffer({ label: 'unused binding', size: 16, usage: TENSOR_USAGE });
    return this.placeholder;
  }

  async read(buffer: GPUBuffer, byteLength?: number, byteOffset = 0): Promise<ArrayBuffer> {
    const [bytes] = await this.readMany([{ buffer, byteLength, byteOffset }]);
    return bytes!;
  }

  async readFloat32(buffer: GPUBuffer, count: number): Promise<Float32Array> {
    return new Float32Array(await this.read(buffer, count * 4));
  }

  /**
   * Reads several buffers with one staging buffer, one copy submission and one map: the way to read metrics.
   * Waits for all work submitted before it.
   */
  async readMany(requests: readonly ReadRequest[]): Promise<ArrayBuffer[]> {
    this.check();
    const spans = requests.map((r) => {
      const offset = r.byteOffset ?? 0;
      const length = r.byteLength ?? r.buffer.size - offset;
      // NOTE: copies move multiples of 4 bytes from 4-aligned offsets.
      const copyLength = Math.ceil(length / 4) * 4;
      if (offset % 4 !== 0 || offset + copyLength > r.buffer.size)
        throw new RangeError(
          `Cannot read ${length} bytes at ${offset} from "${r.buffer.label}" (${r.buffer.size} bytes)`,
        );
      return { ...r, offset, length, copyLength };
    });
    let total = 0;
    const at = spans.map((s) => {
      const start = total;
      total += s.copyLength;
      return start;
    });
    const staging = this.buffers.acquire(
      Math.max(total, 4),
      BufferUsage.MAP_READ | BufferUsage.COPY_DST,
      'readback',
    );
    this.submit((encoder) => {
      spans.forEach((s, i) => {
        if (s.copyLength > 0) encoder.copyBufferToBuffer(s.buffer, s.offset, staging, at[i]!, s.copyLength);
      });
    });
    try {
      await this.settle(staging.mapAsync(MapMode.READ, 0, Math.max(total, 4)));
    } catch (error) {
      this.buffers.release(staging);
      throw this.failure ?? toGpuError(error, 'readback');
    }
    const mapped = staging.getMappedRange(0, Math.max(total, 4));
    const out = spans.map((s, i) => mapped.slice(at[i]!, at[i]! + s.length));
    staging.unmap();
    this.buffers.release(staging);
    return out;
  }

  /** Destroys every buffer and the device. Later calls fail with GpuError 'closed'. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.buffers.dispose();
    this.placeholder?.destroy();
    this.pipelines.clear();
    this.device.destroy();
  }

  private fail(error: GpuError): void {
    for (const listener of this.listeners) listener(error);
    if (error.fatal && !this.failure) {
      this.failure = error;
      this.resolveFailed(error);
      for (const reject of this.waiters) reject(error);
      this.waiters.clear();
    }
  }
}
