// What the engine worker holds between calls: the backends, the data set, the current weights (initial, trained
// or loaded) and the last training snapshot, plus programs compiled for inspection, cached per graph.

import type { Backend, Executor } from '../../../engine/compile/backend.ts';
import type { Program } from '../../../engine/compile/program.ts';
import { cpuBackend } from '../../../engine/cpu/backend.ts';
import type { DataSet } from '../../../engine/data/types.ts';
import type { Graph } from '../../../engine/graph/types.ts';
import { defaultStateDict } from '../../../engine/io/export.ts';
import type { StateDict } from '../../../engine/io/tensor.ts';
import type { TrainingSnapshot } from '../../../engine/train/checkpoint.ts';
import type { TrainingControl } from '../../../engine/train/control.ts';
import type { EpochMetrics } from '../../../engine/train/metrics.ts';
import type { BackendChoice, BackendPreference, EngineInfo } from './protocol.ts';

/** A WebGPU backend that opened, with what the UI says about it. */
export interface GpuBackend {
  backend: Backend;
  adapter: string;
  software: boolean;
}

/** What the worker's host provides: the GPU (a browser's navigator.gpu) and the built-in data's bytes. */
export interface EngineEnvironment {
  /** Opens WebGPU; throws an Error whose message says why there is none. */
  openGpu(): Promise<GpuBackend>;
  builtinMnist(): Promise<Uint8Array>;
  /**
   * Starts the CPU backend's helper threads (engine/cpu/gemm.ts startCpuThreads); resolves to the helpers
   * running. Absent: the CPU backend uses this thread alone.
   */
  startCpuThreads?(): Promise<number>;
}

export type WeightsKind = 'initial' | 'trained' | 'loaded';

/** A JSON text of the graph: the key compiled programs and weights are kept under. */
export function graphKey(graph: Graph): string {
  return JSON.stringify(graph);
}

export class EngineSession {
  private gpu: GpuBackend | null = null;
  private gpuTried: Promise<void> | null = null;
  private gpuReason = '';
  private helpers: Promise<number> | null = null;
  private cpuThreads = 1;
  choice: BackendChoice = 'cpu';

  /** The data as imported, and as fitted to the network (the same object when nothing was fitted). */
  original: DataSet | null = null;
  dataset: DataSet | null = null;
  skipped: string[] = [];

  /** The weights to inspect and export, by state_dict key; null until trained or loaded. */
  weights: StateDict | null = null;
  weightsKind: WeightsKind = 'initial';
  /** Bumped whenever `weights` changes, so cached executors know to reload them. */
  weightsVersion = 0;
  /** Optimizer steps behind `weights`. */
  step = 0;
  /** Parameter gradients of the latest step read during training, by state_dict key. */
  gradients: Map<string, Float32Array> | null = null;
  snapshot: TrainingSnapshot | null = null;
  history: EpochMetrics[] = [];
  /** Normalisation the last run used (inspection feeds the network the same input). */
  normalize: { mean: number[]; std: number[] } | null = null;
  seed = 0;

  /** The node the Feature maps tab shows, kept up to date while training. */
  watch: { graph: Graph; node: string; sample: number; every: number; at: number } | null = null;
  /** The run in progress. */
  control: TrainingControl | null = null;
  private init: { key: string; weights: StateDict } | null = null;
  private readonly programs = new Map<string, { exec: Executor<Program>; loaded: number }>();

  constructor(readonly environment: EngineEnvironment) {}

  /**
   * Opens WebGPU once and picks the backend: the GPU when it opened and was asked for, or under `auto` when the
   * adapter is hardware; otherwise the CPU.
   */
  async open(prefer: BackendPreference): Promise<EngineInfo> {
    this.gpuTried ??= this.environment.openGpu().then(
      (gpu) => {
        this.gpu = gpu;
      },
      (error: unknown) => {
        this.gpuReason = (error as Error).message || String(error);
      },
    );
    await this.gpuTried;
    const gpu = prefer === 'gpu' || (prefer === 'auto' && this.gpu !== null && !this.gpu.software);
    this.choice = gpu && this.gpu ? 'gpu' : 'cpu';
    if (this.choice === 'cpu' && this.environment.startCpuThreads) {
      this.helpers ??= this.environment.startCpuThreads().catch(() => 0);
      this.cpuThreads = 1 + (await this.helpers);
    }
    return this.info();
  }

  info(): EngineInfo {
    return {
      backend: this.choice,
      gpuAvailable: this.gpu !== null,
      adapter: this.gpu?.adapter ?? '',
      software: this.gpu?.software ?? false,
      reason: this.gpu ? '' : this.gpuReason,
      cpuThreads: this.cpuThreads,
    };
  }

  backend(): Backend {
    return this.choice === 'gpu' && this.gpu ? this.gpu.backend : cpuBackend;
  }

  setData(original: DataSet, skipped: string[] = []): void {
    this.original = original;
    this.dataset = original;
    this.skipped = skipped;
  }

  requireData(): DataSet {
    if (!this.dataset)
      throw new Error('No data is loaded yet. Open the Data tab and load or drop a data set.');
    return this.dataset;
  }

  setWeights(weights: StateDict, kind: WeightsKind, step: number): void {
    this.weights = weights;
    this.weightsKind = kind;
    this.step = step;
    this.weightsVersion++;
  }

  /**
   * Every state_dict entry `graph` needs: the current weights where key and shape match, the seeded default init
   * for the rest (a graph edited after training keeps what still fits).
   */
  weightsFor(graph: Graph): StateDict {
    const key = `${this.seed}|${graphKey(graph)}`;
    // The seeded init is drawn once per graph (a large network's takes a while).
    if (this.init?.key !== key) this.init = { key, weights: defaultStateDict(graph, this.seed) };
    const init = this.init.weights;
    if (!this.weights) return init;
    const out: StateDict = new Map();
    for (const [key, tensor] of init) {
      const have = this.weights.get(key);
      const fits =
        have &&
        have.shape.length === tensor.shape.length &&
        have.shape.every((d, i) => d === tensor.shape[i]);
      out.set(key, fits ? have : tensor);
    }
    return out;
  }

  /** A program bound once per (purpose, graph, batch) and reused; `weights` says whether it was loaded yet. */
  async program(
    purpose: string,
    graph: Graph,
    make: (backend: Backend) => Promise<Executor<Program>>,
  ): Promise<{ exec: Executor<Program>; fresh: boolean }> {
    const key = `${purpose}|${this.choice}|${graphKey(graph)}`;
    const cached = this.programs.get(key);
    if (cached) {
      const fresh = cached.loaded !== this.weightsVersion;
      cached.loaded = this.weightsVersion;
      return { exec: cached.exec, fresh };
    }
    // One graph at a time per purpose: an edited graph's old programs are freed.
    for (const [k, v] of this.programs)
      if (k.startsWith(`${purpose}|`)) {
        v.exec.dispose();
        this.programs.delete(k);
      }
    const exec = await make(this.backend());
    this.programs.set(key, { exec, loaded: this.weightsVersion });
    return { exec, fresh: true };
  }
}
