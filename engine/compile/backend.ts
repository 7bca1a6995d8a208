// The contract every backend fulfils (the CPU reference and WebGPU): bind a program, move tensors,
// run one forward op, one backward op or one optimizer update by index.

import type { AugmentOptions } from '../data/augment.ts';
import type { ImageShape } from '../data/types.ts';
import type { UpdateAttrs, UpdateName } from './ops.ts';
import type { ProgramCore, TensorId } from './program.ts';

export type HostData = Float32Array | Int32Array;

/** Loss and correct-count sums over the steps since the last take (GPU: kept on the device). */
export interface MetricTotals {
  /** Sum of the steps' mean losses. */
  loss: number;
  /** Sum of the steps' correct counts. */
  correct: number;
  steps: number;
}

/** A program bound to one backend's memory: one buffer per plan slot and per persistent tensor. */
export interface Executor<P extends ProgramCore = ProgramCore> {
  readonly program: P;
  /** Copies host data into a tensor (float32 data for float32 tensors, int32 for int32 ones). */
  write(tensor: TensorId, data: HostData): void;
  /** Copies a tensor back to the host. NOTE: transient tensors are only valid until their slot is reused. */
  read(tensor: TensorId): Promise<HostData>;
  /** Runs `program.forward[index]`; `training` picks batch or running statistics (BatchNorm). */
  forward(index: number, training: boolean): void;
  /** Runs `program.backward[index]`, writing or adding (`accumulate`) into its gradient targets. */
  backward(index: number, training: boolean): void;
  /** Runs the optimizer update `program.updates[index]` with this step's scalars. */
  update<K extends UpdateName>(op: K, index: number, attrs: UpdateAttrs[K]): void;
  /** Ends a batch of work (WebGPU: submits the command buffer) and waits for it. */
  flush(): Promise<void>;
  /** Frees the backend's memory. */
  dispose(): void;
  /**
   * Optional (WebGPU): ends the current command buffer and submits it without waiting, so one training step
   * is one submission. Backends without it have nothing to submit.
   */
  submit?(): void;
  /** Optional (WebGPU): adds the loss (float32, 1) and correct count (int32, 1) to totals kept on the device. */
  accumulateMetrics?(loss: TensorId, correct: TensorId): void;
  /** Optional (WebGPU): reads the totals (one readback) and resets them to zero. */
  takeMetrics?(): Promise<MetricTotals>;
  /**
   * Optional (WebGPU): uploads a data set (N x C x H x W bytes) to this executor's device once, so batches are
   * prepared there (DeviceDataSet); returns why not (too large for one buffer) instead.
   */
  uploadDataSet?(images: Uint8Array, shape: ImageShape): DeviceDataSet | { unfit: string };
  /** Optional (WebGPU): the device side of a training loop that reads back every few steps (DeviceSteps). */
  deviceSteps?(options: DeviceStepsOptions): Promise<DeviceSteps>;
}

/** How a batch is turned from bytes into model input: augmentation (training only, or null), normalisation. */
export interface DevicePreprocess {
  augment: AugmentOptions | null;
  normalize: { mean: number[]; std: number[] } | null;
}

/** A data set held on a device: batches are gathered, scaled, augmented and normalised there. */
export interface DeviceDataSet {
  /** Compiles what these options need (once); await it before writeBatch with them. */
  prepare(pre: DevicePreprocess): Promise<void>;
  /**
   * Records, into `exec`'s command stream after what it recorded so far and before what it records next, the
   * batch of samples `indices` (augmented under batch key `key`, as engine/data/augment.ts draws) into the
   * float32 tensor `target`. `exec` must be an executor on the same device.
   */
  writeBatch(
    exec: Executor,
    target: TensorId,
    indices: ArrayLike<number>,
    key: number,
    pre: DevicePreprocess,
  ): void;
  dispose(): void;
}

export interface DeviceStepsOptions {
  /** The program's loss (float32, 1) and correct count (int32, 1) tensors. */
  loss: TensorId;
  correct: TensorId;
  /** clip_grad_norm_'s max_norm, or null for no clipping. */
  clipNorm: number | null;
  /** Most steps recorded between two takes. */
  capacity: number;
}

/** One step as the device recorded it. */
export interface StepRecord {
  /** The batch's mean loss before the update (NaN or infinite when the step went wrong). */
  loss: number;
  correct: number;
  /** Global gradient norm before clipping; null when clipping is off. */
  gradNorm: number | null;
}

/**
 * The per-step work a training loop keeps on the device so that it reads back only every few steps: gradient
 * clipping, a per-step record of loss, correct count and gradient norm, and a copy of the last good state.
 */
export interface DeviceSteps {
  /** Scales the last backward's gradients to global norm at most clipNorm (clip_grad_norm_), on the device. */
  clip(): void;
  /** Appends this step's loss, correct count and gradient norm to the device history. */
  record(): void;
  /** Reads the records since the last take (one readback, waiting for the work before it) and empties them. */
  take(): Promise<StepRecord[]>;
  /** Copies the weights, buffers and optimizer state aside on the device, in order. */
  save(): void;
  /** Copies the last saved state back, in order. */
  restore(): void;
  dispose(): void;
}

export interface Backend {
  readonly name: string;
  /** Allocates memory for the plan, fills the constants; all other tensors start at zero. */
  bind<P extends ProgramCore>(program: P): Promise<Executor<P>>;
}
