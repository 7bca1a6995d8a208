// The engine session as the UI sees it: the backend, the data set and its previews, augmentation, the training
// run's live metrics and the feature-map inspection. A zustand store beside the editor's (which owns the project).

import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { EpochMetrics, StepMetrics } from '../../../engine/train/metrics.ts';
import type { RunSettings } from '../../../engine/train/settings.ts';
import type {
  BackendPreference,
  DataSummary,
  EngineInfo,
  Gallery,
  ImageBlock,
  Inspection,
  ResumedFrom,
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

export type RunStatus = TrainPhase | 'idle' | 'done' | 'failed';

/** The canvas's sparklines: each layer's activation spread at the steps it was sampled (the latest TRACE_POINTS). */
export interface NodeTrace {
  steps: number[];
  activations: Record<string, number[]>;
}

export const TRACE_POINTS = 48;

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
  trace: NodeTrace | null;
  /** The checkpoint a resumed run continues, by name, and where it picked up. */
  resumedFrom: (Omit<ResumedFrom, 'settings'> & { name: string }) | null;
}

export interface SessionState {
  info: EngineInfo | null;
  /** The backend the user asked for (`auto` until they choose); the worker falls back to the CPU without an adapter. */
  prefer: BackendPreference;
  data: DataSummary | null;
  dataTask: Task | null;
  dataError: string | null;
  /** Data set indices shown in the preview grids. */
  previewIndices: number[];
  preview: ImageBlock | null;
  /** The key the augmented preview is drawn with (the options themselves are the project's). */
  augmentKey: number;
  augmented: ImageBlock | null;
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
  trace: null,
  resumedFrom: null,
};

export function initialSession(): SessionState {
  return {
    info: null,
    prefer: 'auto',
    data: null,
    dataTask: null,
    dataError: null,
    previewIndices: [],
    preview: null,
    augmentKey: 1,
    augmented: null,
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
