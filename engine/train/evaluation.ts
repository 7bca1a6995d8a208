// Evaluation over every sample of a set, in eval mode (running statistics, no updates): full batches on an eval
// program of the batch size, the remainder on one compiled for its own size; loss, accuracy, confusion matrix.

import type { Backend, DeviceDataSet, Executor } from '../compile/backend.ts';
import { compile } from '../compile/compile.ts';
import type { Program } from '../compile/program.ts';
import { gatherLabels } from '../data/dataset.ts';
import type { DataSet } from '../data/types.ts';
import type { Graph } from '../graph/types.ts';
import { evaluationParts, makeBatch, type Preprocess } from './batches.ts';
import { addToConfusion, emptyConfusion } from './metrics.ts';
import { loadState, readState } from './state.ts';
import { runForward } from './train-step.ts';

export interface EvaluationResult {
  /** Mean cross-entropy per sample. */
  loss: number;
  accuracy: number;
  correct: number;
  samples: number;
  /** confusion[true class][predicted class]. */
  confusion: number[][];
}

type Weights = ReadonlyMap<string, Float32Array | Int32Array | BigInt64Array>;

/** Eval programs for a set of `samples` images at `batchSize`, bound once and reused every epoch. */
export class Evaluator {
  private constructor(
    private readonly full: Executor<Program> | null,
    private readonly rest: Executor<Program> | null,
    readonly batchSize: number,
    readonly samples: number,
  ) {}

  static async create(
    backend: Backend,
    graph: Graph,
    batchSize: number,
    samples: number,
  ): Promise<Evaluator> {
    const size = Math.min(batchSize, samples);
    const remainder = samples % size;
    const full =
      samples >= size && size > 0 ? await backend.bind(compile(graph, size, { mode: 'eval' })) : null;
    const rest = remainder ? await backend.bind(compile(graph, remainder, { mode: 'eval' })) : null;
    return new Evaluator(full, rest, size, samples);
  }

  /**
   * The data set on the evaluator's device (WebGPU), for run()'s `onDevice`: null when the backend keeps data
   * on the host, { unfit } with the reason when it does not fit. The caller prepares and disposes it.
   */
  uploadDataSet(dataset: DataSet): DeviceDataSet | { unfit: string } | null {
    const exec = this.full ?? this.rest;
    return exec?.uploadDataSet?.(dataset.images, dataset.shape) ?? null;
  }

  /** Classes the network's Output gives (the logits' width). */
  get classes(): number {
    const exec = this.full ?? this.rest!;
    return exec.program.tensors[exec.program.logits]!.shape[1]!;
  }

  /**
   * Evaluates the samples at `indices` (as many as `create` was told) with the weights of a bound program
   * (copied over) or given by state_dict key. With `onDevice` (the data set uploaded to the same device, its
   * plain preprocessing prepared) the batches are prepared there instead of on the host.
   */
  async run(
    weights: Executor<Program> | Weights,
    dataset: DataSet,
    indices: Uint32Array,
    pre: Preprocess,
    onDevice: DeviceDataSet | null = null,
  ): Promise<EvaluationResult> {
    if (indices.length !== this.samples)
      throw new Error(`this evaluator was made for ${this.samples} samples, not ${indices.length}`);
    const values: Weights =
      weights instanceof Map ? weights : await stateValues(weights as Executor<Program>);
    for (const exec of [this.full, this.rest]) if (exec) loadState(exec, values);
    const confusion = emptyConfusion(Math.max(this.classes, dataset.classes.length));
    let lossSum = 0;
    let correct = 0;
    const plain = { augment: null, normalize: pre.normalize };
    for (const batch of evaluationParts(indices, this.batchSize)) {
      const exec = batch.length === this.batchSize ? this.full! : this.rest!;
      const labels = gatherLabels(dataset, batch);
      if (onDevice) onDevice.writeBatch(exec, exec.program.batch, batch, 0, plain);
      else exec.write(exec.program.batch, makeBatch(dataset, batch, { ...pre, ...plain }, 0).images);
      exec.write(exec.program.labels, labels);
      runForward(exec, false);
      await exec.flush();
      const [loss, logits] = await Promise.all([
        exec.read(exec.program.loss),
        exec.read(exec.program.logits),
      ]);
      lossSum += loss[0]! * batch.length;
      correct += addToConfusion(confusion, logits as Float32Array, labels, batch.length);
    }
    const n = this.samples;
    return {
      loss: n ? lossSum / n : Number.NaN,
      accuracy: n ? correct / n : Number.NaN,
      correct,
      samples: n,
      confusion,
    };
  }

  dispose(): void {
    this.full?.dispose();
    this.rest?.dispose();
  }
}

async function stateValues(exec: Executor<Program>): Promise<Weights> {
  const out = new Map<string, Float32Array | BigInt64Array>();
  for (const [key, value] of await readState(exec)) out.set(key, value.data);
  return out;
}
