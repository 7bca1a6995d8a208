// The engine worker's message protocol: every call's name, arguments and result declared once, the events the
// worker sends on its own (training steps, epochs, live feature maps), and the envelopes around them.

import type { AugmentOptions } from '../../../engine/data/augment.ts';
import type { ImageShape } from '../../../engine/data/types.ts';
import type { Graph } from '../../../engine/graph/types.ts';
import type { EpochMetrics, StepMetrics } from '../../../engine/train/metrics.ts';
import type { RunSettings } from '../../../engine/train/settings.ts';

/** Which engine runs training: WebGPU when an adapter opened, else the CPU reference. */
export type BackendChoice = 'gpu' | 'cpu';

/**
 * What the user asked for: `auto` (the default) takes WebGPU on a hardware adapter and the CPU on a software one
 * (SwiftShader, where the CPU engine is faster), as the CLI's `--backend auto` does; `gpu` and `cpu` force one.
 */
export type BackendPreference = BackendChoice | 'auto';

export interface EngineInfo {
  /** The backend in use now. */
  backend: BackendChoice;
  /** True when a WebGPU adapter opened. */
  gpuAvailable: boolean;
  /** The adapter, e.g. `google swiftshader: SwiftShader driver (software)`; empty without one. */
  adapter: string;
  /** True for software adapters (SwiftShader, WARP): WebGPU works but slowly. */
  software: boolean;
  /** Why there is no WebGPU, in the user's words; empty when there is. */
  reason: string;
  /** Threads the CPU backend splits its large matrix products over (1 until it is chosen, or without helpers). */
  cpuThreads: number;
}

/** A data file the UI hands over: a File (transferred cheaply) or bytes it already read. */
export interface ImportFile {
  /** Path below what was dropped or picked, `/`-separated: `cats/001.png`. */
  path: string;
  file?: Blob;
  bytes?: ArrayBuffer;
}

export interface DataSummary {
  /** What the user would call it: `MNIST digits (built in)`, the folder or archive name. */
  name: string;
  kind: string;
  count: number;
  shape: ImageShape;
  classes: string[];
  classCounts: number[];
  /** The shape the files had before any fit (resize or colour conversion). */
  originalShape: ImageShape;
  /** Files left out of the import, each with the reason. */
  skipped: string[];
  /** Sample indices for the preview grids: a few of each class. */
  preview: number[];
}

/** Images for the screen: N x C x H x W, bytes (0-255) or floats (0-1 units, maybe normalised). */
export interface ImageBlock {
  shape: ImageShape;
  count: number;
  bytes?: Uint8Array;
  floats?: Float32Array;
  labels: number[];
  /** Data set index of each image. */
  indices: number[];
}

/** A tensor sent to the screen (activations, weights, gradients). */
export interface TensorView {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface Histogram {
  /** Left edge of the first bin and right edge of the last. */
  min: number;
  max: number;
  counts: number[];
  mean: number;
  std: number;
}

export interface LayerStats {
  /** The graph node, e.g. `conv1`. */
  node: string;
  kind: string;
  weights: Histogram | null;
  gradients: Histogram | null;
  activations: Histogram | null;
  /** BatchNorm's running statistics, one value per channel. */
  runningMean?: number[];
  runningVar?: number[];
}

/** What the worker shows about one node for one sample. */
export interface Inspection {
  node: string;
  sample: number;
  label: number;
  /** The network's prediction for the sample and its softmax probability. */
  predicted: number;
  confidence: number;
  /** The node's output for the sample (C x H x W, or a vector). */
  output: TensorView | null;
  /** A Conv2d's weight (out, in, kh, kw). */
  kernels: TensorView | null;
  layers: LayerStats[];
  /** Optimizer steps behind these weights (0: the initial weights). */
  step: number;
  /** 'trained', 'initial' (never trained) or 'loaded' (from a file). */
  weights: 'trained' | 'initial' | 'loaded';
}

/** A validation sample with the network's guess, for the gallery. */
export interface Prediction {
  index: number;
  label: number;
  predicted: number;
  confidence: number;
}

export interface Gallery {
  epoch: number;
  /** Misclassified first (most confident mistakes first), then correct ones. */
  predictions: Prediction[];
  images: ImageBlock;
  /** How many samples the gallery looked at, and how many of them were wrong. */
  looked: number;
  wrong: number;
}

export type TrainPhase = 'starting' | 'training' | 'validating' | 'paused' | 'stopping';

export type ExportKind = 'pt' | 'checkpoint' | 'safetensors' | 'py' | 'bundle';

export interface TrainOutcome {
  reason: 'completed' | 'stopped' | 'early' | 'target' | 'nonFinite' | string;
  message: string;
  epochs: EpochMetrics[];
  step: number;
}

/** Where a run resumed from a checkpoint picks up. */
export interface ResumedFrom {
  epoch: number;
  /** Optimizer steps already taken. */
  step: number;
  /** Steps into `epoch` already trained (a run stopped mid-epoch). */
  epochStep: number;
  history: EpochMetrics[];
  /** The settings the run goes on with (the checkpoint's, with the epochs and stop rules asked for). */
  settings: RunSettings;
}

export interface WeightsReport {
  ok: boolean;
  /** formatLoadReport's text. */
  text: string;
  warnings: string[];
  loaded: number;
}

/** Every call: its arguments and what it resolves to. */
export interface Calls {
  'engine.open': { args: { prefer: BackendPreference }; result: EngineInfo };
  'data.builtin': { args: Record<string, never>; result: DataSummary };
  'data.import': { args: { files: ImportFile[]; name: string }; result: DataSummary };
  /** Resizes and/or converts colour (a copy of the imported images fitted to `shape`). */
  'data.fit': { args: { shape: ImageShape }; result: DataSummary };
  'data.samples': { args: { indices: number[] }; result: ImageBlock };
  'data.augment': { args: { indices: number[]; options: AugmentOptions; key: number }; result: ImageBlock };
  /**
   * Resolves when the run ends; progress comes as events. With `resume` (a full training checkpoint's bytes) the
   * run continues exactly where the checkpoint left it, with its own settings except the epochs and stop rules.
   */
  'train.start': {
    args: { graph: Graph; settings: RunSettings; initial: boolean; resume?: Uint8Array };
    result: TrainOutcome;
  };
  /** The phase the run is in now; a pause only begins after the step in progress ('train.phase' event). */
  'train.control': { args: { action: 'pause' | 'resume' | 'stop' }; result: TrainPhase | 'idle' };
  /** One node for one sample now; `watch` keeps it updated while training (every `every` steps). */
  inspect: {
    args: { graph: Graph; node: string; sample: number; watch: boolean; every: number };
    result: Inspection;
  };
  'inspect.unwatch': { args: Record<string, never>; result: null };
  export: {
    args: { graph: Graph; kind: Exclude<ExportKind, 'bundle'>; className: string; settings: RunSettings };
    result: Uint8Array;
  };
  /** The trained weights (a state_dict) and the run's history, for a project bundle. */
  'weights.snapshot': { args: { graph: Graph }; result: { stateDict: Uint8Array; history: EpochMetrics[] } };
  /** Forgets trained or loaded weights and the run's history (another project was opened). */
  'weights.reset': { args: Record<string, never>; result: null };
  'weights.load': {
    args: { graph: Graph; bytes: Uint8Array; name: string; strict: boolean; history?: EpochMetrics[] };
    result: WeightsReport;
  };
}

export type CallName = keyof Calls;

/** What the worker says without being asked. */
export type EngineEvent =
  | { type: 'train.steps'; steps: StepMetrics[] }
  | { type: 'train.epoch'; metrics: EpochMetrics }
  | { type: 'train.phase'; phase: TrainPhase }
  /** Each layer's activation spread (std of its output for one sample) at `step`, for the canvas's sparklines. */
  | { type: 'train.trace'; step: number; activations: Record<string, number> }
  /** A resumed run starts here: the checkpoint's place and the epochs it had already trained. */
  | { type: 'train.resumed'; resumed: ResumedFrom }
  | { type: 'train.gallery'; gallery: Gallery }
  | { type: 'inspect.update'; inspection: Inspection };

export type Request = {
  [K in CallName]: { kind: 'call'; id: number; name: K; args: Calls[K]['args'] };
}[CallName];

export type ToWorker = Request | { kind: 'cancel'; id: number };

export type FromWorker =
  | { kind: 'result'; id: number; value: unknown }
  | { kind: 'error'; id: number; message: string; cancelled?: boolean }
  | { kind: 'progress'; id: number; fraction: number; message: string }
  | { kind: 'event'; event: EngineEvent };

/** The message a cancelled call rejects with. */
export const CANCELLED = 'cancelled';

/**
 * Buffers inside a value that can be moved to the other side instead of copied. NOTE: only views that span their
 * whole buffer are moved (a subarray of a data set must never detach the set); senders hand over fresh arrays.
 */
export function transferables(value: unknown, out: Transferable[] = [], depth = 0): Transferable[] {
  if (depth > 4 || value === null || typeof value !== 'object') return out;
  if (ArrayBuffer.isView(value)) {
    const buffer = value.buffer;
    const whole = value.byteOffset === 0 && value.byteLength === buffer.byteLength;
    if (whole && buffer instanceof ArrayBuffer && !out.includes(buffer)) out.push(buffer);
    return out;
  }
  if (value instanceof ArrayBuffer) {
    if (!out.includes(value)) out.push(value);
    return out;
  }
  if (typeof Blob !== 'undefined' && value instanceof Blob) return out;
  for (const item of Array.isArray(value) ? value : Object.values(value)) transferables(item, out, depth + 1);
  return out;
}
