// The WebGPU executor: records each forward, backward and update into one command encoder (one compute
// pass where it can), so a training step is one submission; reads wait only for what they need.
/// <reference types="@webgpu/types" />

import type {
  DeviceDataSet,
  DeviceSteps,
  DeviceStepsOptions,
  Executor,
  HostData,
  MetricTotals,
} from '../compile/backend.ts';
import type { UpdateAttrs, UpdateName } from '../compile/ops.ts';
import { numel, type ProgramCore, storageOf, type TensorId } from '../compile/program.ts';
import type { ImageShape } from '../data/types.ts';
import { BufferUsage, type GpuRuntime } from '../gpu/index.ts';
import { GpuBatchSource } from './augment.ts';
import type { BoundProgram, Encoded } from './bind.ts';
import { GpuDeviceSteps } from './device-steps.ts';
import { attrsBytes } from './optimizers.ts';

export class GpuExecutor<P extends ProgramCore> implements Executor<P> {
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  /** An update recorded in the pending encoder reads the attrs uniform, so a new value must be copied in order. */
  private attrsPending = false;
  private attrsKey = '';
  /** Staging buffers of in-order copies; returned to the pool once their encoder is submitted. */
  private staging: GPUBuffer[] = [];
  private readonly metricGroups = new Map<string, GPUBindGroup>();
  private disposed = false;

  constructor(
    readonly program: P,
    readonly runtime: GpuRuntime,
    private readonly bound: BoundProgram,
  ) {}

  /** The buffer behind a tensor (views share their base's): for tools that read activations in place. */
  buffer(tensor: TensorId): GPUBuffer {
    return this.bound.tensorBuffers[tensor]!;
  }

  write(id: TensorId, data: HostData): void {
    this.runtime.check();
    const t = this.program.tensors[id]!;
    const n = numel(t.shape);
    if (data.length !== n) throw new Error(`write ${t.name}: ${data.length} values for a tensor of ${n}`);
    if ((t.dtype === 'int32') !== data instanceof Int32Array)
      throw new Error(
        `write ${t.name}: ${t.dtype} tensor needs ${t.dtype === 'int32' ? 'an Int32Array' : 'a Float32Array'}`,
      );
    this.writeBytes(this.buffer(id), data);
  }

  async read(id: TensorId): Promise<HostData> {
    this.submit();
    const t = this.program.tensors[id]!;
    const [bytes] = await this.runtime.readMany([
      { buffer: this.buffer(id), byteLength: numel(t.shape) * 4 },
    ]);
    return t.dtype === 'int32' ? new Int32Array(bytes!) : new Float32Array(bytes!);
  }

  forward(index: number, training: boolean): void {
    const d = this.bound.forward[index];
    if (!d) throw new RangeError(`no forward step ${index}`);
    this.record(training ? d.train : d.eval);
  }

  backward(index: number, training: boolean): void {
    const d = this.bound.backward[index];
    if (!d) throw new RangeError(`no backward step ${index}`);
    this.record(training ? d.train : d.eval);
  }

  update<K extends UpdateName>(op: K, index: number, attrs: UpdateAttrs[K]): void {
    if (op !== this.program.optimizer)
      throw new Error(`this program holds ${this.program.optimizer ?? 'no'} optimizer state, not ${op}'s`);
    const u = this.program.updates[index];
    if (!u) throw new RangeError(`no update ${index}`);
    if (op === 'sgd' && (attrs as UpdateAttrs['sgd']).momentum !== 0 && u.state.momentum_buffer === undefined)
      throw new Error('sgd with momentum needs a momentum_buffer');
    const bytes = attrsBytes(op, attrs);
    const key = Array.from(new Uint32Array(bytes)).join(',');
    if (key !== this.attrsKey) {
      // NOTE: a queue write lands before everything still being recorded; if an update already recorded in
      // this encoder reads the old values, copy the new ones in order instead.
      if (this.attrsPending) this.copyInOrder(this.bound.attrs, new Uint8Array(bytes));
      else this.runtime.write(this.bound.attrs, new Uint8Array(bytes));
      this.attrsKey = key;
    }
    this.record([this.bound.updates[index]!]);
    this.attrsPending = true;
  }

  /** Ends the command buffer being recorded and submits it, without waiting: one per training step. */
  submit(): void {
    if (!this.encoder) return;
    this.runtime.check();
    this.pass?.end();
    this.pass = null;
    this.runtime.device.queue.submit([this.encoder.finish()]);
    this.encoder = null;
    this.attrsPending = false;
    for (const buffer of this.staging) this.runtime.buffers.release(buffer);
    this.staging = [];
  }

  async flush(): Promise<void> {
    this.submit();
    await this.runtime.done();
  }

  accumulateMetrics(loss: TensorId, correct: TensorId): void {
    const key = `${loss},${correct}`;
    let group = this.metricGroups.get(key);
    if (!group) {
      group = this.runtime.bind(this.bound.metricsKernel, [
        this.buffer(loss),
        this.buffer(correct),
        this.bound.totals,
      ]);
      this.metricGroups.set(key, group);
    }
    this.record([{ kernel: this.bound.metricsKernel, group, grid: [1, 1, 1] }]);
  }

  async takeMetrics(): Promise<MetricTotals> {
    this.submit();
    const [bytes] = await this.runtime.readMany([{ buffer: this.bound.totals, byteLength: 12 }]);
    this.runtime.write(this.bound.totals, new Uint32Array(4));
    const view = new DataView(bytes!);
    return {
      loss: view.getFloat32(0, true),
      correct: view.getInt32(4, true),
      steps: view.getUint32(8, true),
    };
  }

  /**
   * The hook for work recorded by others (a batch source, the device-side loop): ends the compute pass and
   * calls `encode` with the step's command encoder, so the work runs after everything recorded so far and
   * before what is recorded next, in the same submission.
   */
  recordInOrder(encode: (encoder: GPUCommandEncoder) => void): void {
    this.computePass();
    this.pass!.end();
    this.pass = null;
    encode(this.encoder!);
  }

  uploadDataSet(images: Uint8Array, shape: ImageShape): DeviceDataSet | { unfit: string } {
    const unfit = GpuBatchSource.unfitReason(this.runtime, images.byteLength);
    return unfit ? { unfit } : GpuBatchSource.create(this.runtime, images, shape);
  }

  deviceSteps(options: DeviceStepsOptions): Promise<DeviceSteps> {
    // The state a step changes: weights, BatchNorm buffers, optimizer state (gradients are rewritten each step).
    const kept = new Set(['parameter', 'buffer', 'optimizerState']);
    const keep = this.program.tensors
      .filter((t) => kept.has(t.role))
      .map((t) => storageOf(this.program, t.id));
    return GpuDeviceSteps.create(this, this.program, { ...options, keep });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (!this.runtime.error) this.submit();
    for (const buffer of [...this.bound.owned, ...this.staging]) this.runtime.buffers.release(buffer);
    this.staging = [];
  }

  private computePass(): GPUComputePassEncoder {
    this.runtime.check();
    if (this.disposed) throw new Error('this executor was disposed');
    this.encoder ??= this.runtime.device.createCommandEncoder({ label: 'step' });
    this.pass ??= this.encoder.beginComputePass({ label: 'step' });
    return this.pass;
  }

  private record(dispatches: readonly Encoded[]): void {
    const pass = this.computePass();
    for (const d of dispatches) this.runtime.dispatch(pass, d.kernel, d.group, d.grid);
  }

  /** Writes now when nothing is being recorded, else as a copy at this point of the command buffer. */
  private writeBytes(buffer: GPUBuffer, data: ArrayBufferView): void {
    if (this.encoder) this.copyInOrder(buffer, data);
    else this.runtime.write(buffer, data);
  }

  private copyInOrder(target: GPUBuffer, data: ArrayBufferView): void {
    const bytes = Math.ceil(data.byteLength / 4) * 4;
    const staging = this.runtime.upload(data, BufferUsage.COPY_SRC | BufferUsage.COPY_DST, 'staging');
    this.staging.push(staging);
    this.encoder ??= this.runtime.device.createCommandEncoder({ label: 'step' });
    this.pass?.end();
    this.pass = null;
    this.encoder.copyBufferToBuffer(staging, 0, target, 0, bytes);
  }
}
