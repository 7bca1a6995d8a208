// The contract every backend fulfils (CPU reference now, WebGPU next): bind a program, move tensors,
// run one forward op, one backward op or one optimizer update by index.

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
}

export interface Backend {
  readonly name: string;
  /** Allocates memory for the plan, fills the constants; all other tensors start at zero. */
  bind<P extends ProgramCore>(program: P): Promise<Executor<P>>;
}
