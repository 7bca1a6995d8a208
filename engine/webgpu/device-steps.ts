// The device side of a training loop that reads back every few steps, not every step: gradient clipping
// (clip_grad_norm_) computed and applied on the device, a per-step history of loss, correct count and gradient
// norm (so a NaN is found at its exact step), and a device copy of the last good state to roll back to.
/// <reference types="@webgpu/types" />

import type { DeviceSteps, DeviceStepsOptions, StepRecord } from '../compile/backend.ts';
import { numel, type ProgramCore, type TensorId } from '../compile/program.ts';
import { BufferUsage, type CompiledKernel, type GpuRuntime, TENSOR_USAGE } from '../gpu/index.ts';
import { ELEMENT_WORKGROUP, Params } from './dispatch-plan.ts';

/** What this needs of the executor: its device, the buffer behind a tensor, and in-order recording. */
export interface InOrderRecorder {
  readonly runtime: GpuRuntime;
  buffer(tensor: TensorId): GPUBuffer;
  /** Calls `encode` with the command encoder being recorded, after everything recorded so far. */
  recordInOrder(encode: (encoder: GPUCommandEncoder) => void): void;
  /** Submits what was recorded. */
  submit(): void;
}

export interface DeviceStepsTensors extends DeviceStepsOptions {
  /** The tensors save() keeps and restore() puts back (weights, buffers, optimizer state). */
  keep: readonly TensorId[];
}

/** Elements one workgroup of grad_sum_squares.wgsl sums (WORKGROUP x PER_INVOCATION there). */
const CHUNK = 256 * 16;
/** Bytes of the history header (count + padding) and of one row. */
const HEADER = 16;
const ROW = 16;

interface ClipPlan {
  sumSquares: CompiledKernel;
  norm: CompiledKernel;
  scale: CompiledKernel;
  /** Per gradient: its partial-sums bind group, workgroups, and its scale bind group and workgroups. */
  grads: { sum: GPUBindGroup; chunks: number; scale: GPUBindGroup; groups: number }[];
  normGroup: GPUBindGroup;
}

export class GpuDeviceSteps implements DeviceSteps {
  private readonly owned: GPUBuffer[] = [];
  private readonly clipState: GPUBuffer;
  private readonly history: GPUBuffer;
  private clipPlan: ClipPlan | null = null;
  private recordKernel!: CompiledKernel;
  private recordGroup!: GPUBindGroup;
  private readonly kept: { live: GPUBuffer; copy: GPUBuffer }[] = [];
  private disposed = false;

  private constructor(
    private readonly exec: InOrderRecorder,
    private readonly options: DeviceStepsTensors,
  ) {
    this.clipState = this.acquire(16, TENSOR_USAGE, 'clip');
    this.history = this.acquire(HEADER + ROW * options.capacity, TENSOR_USAGE, 'step history');
  }

  /** Compiles the kernels, makes the bind groups and backup buffers once. */
  static async create(
    exec: InOrderRecorder,
    program: ProgramCore,
    options: DeviceStepsTensors,
  ): Promise<GpuDeviceSteps> {
    if (!(Number.isInteger(options.capacity) && options.capacity >= 1))
      throw new RangeError(`capacity must be a positive integer, got ${options.capacity}`);
    const steps = new GpuDeviceSteps(exec, options);
    await steps.build(program);
    return steps;
  }

  private async build(program: ProgramCore): Promise<void> {
    const { runtime } = this.exec;
    const clipped = this.options.clipNorm !== null;
    this.recordKernel = await runtime.kernel({
      name: 'step_record',
      bindings: ['read-only-storage', 'read-only-storage', 'read-only-storage', 'storage'],
      constants: { CAPACITY: this.options.capacity, CLIPPED: clipped },
    });
    this.recordGroup = runtime.bind(this.recordKernel, [
      this.exec.buffer(this.options.loss),
      this.exec.buffer(this.options.correct),
      this.clipState,
      this.history,
    ]);
    runtime.submit((encoder) => {
      encoder.clearBuffer(this.history);
      encoder.clearBuffer(this.clipState);
    });
    if (clipped) this.clipPlan = await this.planClip(program, this.options.clipNorm!);
    // NOTE: views share their base's buffer, so each buffer is kept once.
    const seen = new Set<GPUBuffer>();
    for (const tensor of this.options.keep) {
      const live = this.exec.buffer(tensor);
      if (seen.has(live)) continue;
      seen.add(live);
      this.kept.push({ live, copy: this.acquire(live.size, TENSOR_USAGE, 'last good state') });
    }
  }

  private async planClip(program: ProgramCore, maxNorm: number): Promise<ClipPlan> {
    const { runtime } = this.exec;
    const [sumSquares, norm, scale] = await Promise.all([
      runtime.kernel({ name: 'grad_sum_squares', bindings: ['read-only-storage', 'storage', 'uniform'] }),
      runtime.kernel({
        name: 'grad_norm',
        bindings: ['read-only-storage', 'read-only-storage', 'storage', 'uniform'],
      }),
      runtime.kernel({ name: 'grad_scale', bindings: ['storage', 'read-only-storage', 'uniform'] }),
    ]);
    const counts = program.updates.map((u) => numel(program.tensors[u.grad]!.shape));
    const ranges = new Uint32Array(Math.max(4, 2 * counts.length));
    let partialCount = 0;
    counts.forEach((count, t) => {
      ranges[2 * t] = partialCount;
      partialCount += Math.ceil(count / CHUNK);
      ranges[2 * t + 1] = partialCount;
    });
    const partials = this.acquire(4 * partialCount, TENSOR_USAGE, 'clip partials');
    const rangeBuffer = this.acquire(ranges.byteLength, TENSOR_USAGE, 'clip ranges');
    runtime.write(rangeBuffer, ranges);
    const uniform = (params: Params) => {
      const bytes = new Uint8Array(params.bytes());
      const buffer = this.acquire(
        bytes.byteLength,
        BufferUsage.UNIFORM | BufferUsage.COPY_DST,
        'clip params',
      );
      runtime.write(buffer, bytes);
      return buffer;
    };
    const grads = program.updates.map((u, t) => {
      const count = counts[t]!;
      const g = this.exec.buffer(u.grad);
      return {
        sum: runtime.bind(sumSquares, [g, partials, uniform(new Params().u32(count, ranges[2 * t]!))]),
        chunks: Math.ceil(count / CHUNK),
        scale: runtime.bind(scale, [g, this.clipState, uniform(new Params().u32(count))]),
        groups: Math.ceil(count / 4 / ELEMENT_WORKGROUP),
      };
    });
    const normGroup = runtime.bind(norm, [
      partials,
      rangeBuffer,
      this.clipState,
      uniform(new Params().u32(counts.length).f32(maxNorm)),
    ]);
    return { sumSquares, norm, scale, grads, normGroup };
  }

  clip(): void {
    const plan = this.clipPlan;
    if (!plan) throw new Error('this loop was set up without clipping (clipNorm null)');
    const { runtime } = this.exec;
    this.exec.recordInOrder((encoder) => {
      const pass = encoder.beginComputePass({ label: 'clip_grad_norm' });
      for (const g of plan.grads) if (g.chunks > 0) runtime.dispatch(pass, plan.sumSquares, g.sum, g.chunks);
      runtime.dispatch(pass, plan.norm, plan.normGroup, 1);
      for (const g of plan.grads) if (g.groups > 0) runtime.dispatch(pass, plan.scale, g.scale, g.groups);
      pass.end();
    });
  }

  record(): void {
    const { runtime } = this.exec;
    this.exec.recordInOrder((encoder) => {
      const pass = encoder.beginComputePass({ label: 'step record' });
      runtime.dispatch(pass, this.recordKernel, this.recordGroup, 1);
      pass.end();
    });
  }

  async take(): Promise<StepRecord[]> {
    const { runtime } = this.exec;
    // Whatever the executor still holds goes first, so the readback waits for every recorded step.
    this.exec.submit();
    const [bytes] = await runtime.readMany([{ buffer: this.history }]);
    runtime.write(this.history, new Uint32Array(4));
    const view = new DataView(bytes!);
    const count = view.getUint32(0, true);
    if (count > this.options.capacity)
      throw new Error(
        `${count} steps were recorded between reads; this history holds ${this.options.capacity}`,
      );
    const clipped = this.options.clipNorm !== null;
    return Array.from({ length: count }, (_, i) => {
      const at = HEADER + i * ROW;
      return {
        loss: view.getFloat32(at, true),
        correct: view.getInt32(at + 4, true),
        gradNorm: clipped ? view.getFloat32(at + 8, true) : null,
      };
    });
  }

  save(): void {
    this.exec.recordInOrder((encoder) => {
      for (const { live, copy } of this.kept) encoder.copyBufferToBuffer(live, 0, copy, 0, live.size);
    });
  }

  restore(): void {
    this.exec.recordInOrder((encoder) => {
      for (const { live, copy } of this.kept) encoder.copyBufferToBuffer(copy, 0, live, 0, live.size);
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const buffer of this.owned) this.exec.runtime.buffers.release(buffer);
    this.owned.length = 0;
  }

  private acquire(bytes: number, usage: number, label: string): GPUBuffer {
    const buffer = this.exec.runtime.buffers.acquire(Math.max(16, Math.ceil(bytes / 4) * 4), usage, label);
    this.owned.push(buffer);
    return buffer;
  }
}
