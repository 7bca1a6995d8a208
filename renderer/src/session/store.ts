// The engine session as the UI sees it: the backend, the data set and its previews, augmentation, the training
// run's live metrics and the feature-map inspection. A zustand store beside the editor's (which owns the project).

import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { AugmentOptions } from '../../../engine/data/augment.ts';
import type { EpochMetrics, StepMetrics } from '../../../engine/train/metrics.ts';
import type { RunSettings } from '../../../engine/train/settings.ts';
import type {
  BackendChoice,
  DataSummary,
  EngineInfo,
  Gallery,
  ImageBlock,
  Inspection,
  TrainOutcome,
  TrainPhase,
} from '../worker/protocol.ts';

/** Long work with a progress bar and a Cancel button. */
export interface Task {
  label: string;
  fraction: number;
  message: string;
  cancel?: () => void;
}

/** Run settings the project file does not hold (it keeps optimizer, lr and schedule, batch, epochs, seed, split). */
export type RunExtras = Pick<
  RunSettings,
  'warmup' | 'early_stopping' | 'target_accuracy' | 'clip_grad_norm' | 'normalize'
>;

export const DEFAULT_EXTRAS: RunExtras = {
  warmup: null,
  early_stopping: null,
  target_accuracy: null,
  clip_grad_norm: null,
  normalize: null,
};

export type RunStatus = TrainPhase | 'idle' | 'done' | 'failed';

export interface RunState {
  status: RunStatus;
  /** The settings the run started with. */
  settings: RunSettings | null;
  steps: StepMetrics[];
  epochs: EpochMetrics[];
  gallery: Gallery | null;
  outcome: TrainOutcome | null;
  error: string | null;
  /** performance.now() when the run started, for the ETA. */
  startedAt: number;
}

export interface SessionState {
  info: EngineInfo | null;
  /** The backend the user asked for; the worker falls back to the CPU without an adapter. */
  prefer: BackendChoice;
  data: DataSummary | null;
  dataTask: Task | null;
  dataError: string | null;
  /** Data set indices shown in the preview grids. */
  previewIndices: number[];
  preview: ImageBlock | null;
  augment: AugmentOptions;
  augmentKey: number;
  augmented: ImageBlock | null;
  extras: RunExtras;
  /** Start from the loaded or trained weights instead of a fresh init. */
  continueWeights: boolean;
  run: RunState;
  inspectSample: number;
  inspection: Inspection | null;
  inspectError: string | null;
  /** Which weights export and inspection use: none yet, trained, or loaded from a file. */
  weights: 'initial' | 'trained' | 'loaded';
  /** Bumped when weights are loaded from a file, so views of them refresh. */
  weightsTick: number;
  /** The report of the last weights load, shown in a dialog until closed. */
  report: { title: string; text: string; ok: boolean } | null;
}

export const IDLE_RUN: RunState = {
  status: 'idle',
  settings: null,
  steps: [],
  epochs: [],
  gallery: null,
  outcome: null,
  error: null,
  startedAt: 0,
};

export function initialSession(): SessionState {
  return {
    info: null,
    prefer: 'gpu',
    data: null,
    dataTask: null,
    dataError: null,
    previewIndices: [],
    preview: null,
    augment: {},
    augmentKey: 1,
    augmented: null,
    extras: DEFAULT_EXTRAS,
    continueWeights: false,
    run: IDLE_RUN,
    inspectSample: 0,
    inspection: null,
    inspectError: null,
    weights: 'initial',
    weightsTick: 0,
    report: null,
  };
}

export type SessionStore = StoreApi<SessionState>;

/** NOTE: selectors must return stable values; a fresh `[]` per call would re-render forever. */
export const NO_CLASSES: readonly string[] = [];

export function createSessionStore(): SessionStore {
  return createStore<SessionState>()(() => initialSession());
}

let store: SessionStore | undefined;

export function sessionStore(): SessionStore {
  store ??= createSessionStore();
  return store;
}

export function useSession<T>(selector: (state: SessionState) => T): T {
  return useStore(sessionStore(), selector);
}

/** True while a run holds the engine (starting, training, validating, paused or stopping). */
export function isRunning(status: RunStatus): boolean {
  return status !== 'idle' && status !== 'done' && status !== 'failed';
}
