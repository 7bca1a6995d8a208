// Training commands: the run's settings (the project's), Start with the checks a user needs first, Pause, Resume
// and Stop, and resuming a saved checkpoint; the same functions serve the buttons, the keys and the desktop menu.

import { DEFAULT_TRAINING, type TrainingSettings } from '../../../engine/io/project/project.ts';
import { type RunSettings, runSettings, SettingsError } from '../../../engine/train/settings.ts';
import { platform } from '../platform/index.ts';
import { editorStore } from '../store/useEditor.ts';
import { EngineError } from '../worker/client.ts';
import { engine } from './engine.ts';
import { dataFit } from './fit.ts';
import { IDLE_RUN, isRunning, sessionStore } from './store.ts';

const session = () => sessionStore();
const editor = () => editorStore().getState();

/** The project's training settings, or the defaults when it has none. */
export function projectTraining(): TrainingSettings {
  return editor().meta.training ?? DEFAULT_TRAINING;
}

export function updateTraining(patch: Partial<TrainingSettings>): void {
  editor().setTraining({ ...projectTraining(), ...patch });
}

/** Everything the loop needs (all of it from the project), checked; throws a SettingsError naming the setting. */
export function currentRunSettings(): RunSettings {
  const t = projectTraining();
  return runSettings(t, { augment: t.augment && Object.keys(t.augment).length ? t.augment : null });
}

/** Why training cannot start now, in the user's words; null when it can. */
export function blocker(): string | null {
  const e = editor();
  const errors = e.analysis.problems.filter((p) => p.severity === 'error').length;
  if (errors)
    return `The network has ${errors} problem${errors === 1 ? '' : 's'}: fix ${errors === 1 ? 'it' : 'them'} in the Problems tab first.`;
  const data = session().getState().data;
  if (!data) return 'No data is loaded: load or drop a data set in the Data tab.';
  const issues = dataFit(data, e.graph, e.analysis);
  if (issues.length) return `${issues[0]!.message} The Data tab offers fixes.`;
  return null;
}

/** A saved full training checkpoint to continue from: its file name and bytes. */
export interface ResumeFile {
  name: string;
  bytes: Uint8Array;
}

/**
 * Starts a run: fresh (or from the current weights), or continuing a saved checkpoint exactly (its weights,
 * optimizer state, data order and generator; the epochs and stop rules are the Training tab's).
 */
export async function startTraining(resume?: ResumeFile): Promise<void> {
  const s = session().getState();
  if (isRunning(s.run.status)) return;
  const problem = blocker();
  if (problem) {
    editor().notify(problem, 'error');
    const data = session().getState().data;
    editor().setUi({
      dockOpen: true,
      dockTab: data ? (problem.includes('Problems') ? 'problems' : 'data') : 'data',
    });
    return;
  }
  let settings: RunSettings;
  try {
    settings = currentRunSettings();
  } catch (error) {
    const message =
      error instanceof SettingsError ? `The training setting ${error.message}.` : (error as Error).message;
    session().setState({ run: { ...IDLE_RUN, status: 'failed', error: message } });
    return;
  }
  editor().setUi({ dockOpen: true, dockTab: 'training' });
  session().setState({
    run: {
      ...IDLE_RUN,
      status: 'starting',
      settings,
      startedAt: performance.now(),
      resumedFrom: resume ? { name: resume.name, epoch: 0, step: 0, epochStep: 0, history: [] } : null,
    },
  });
  try {
    const outcome = await engine().call('train.start', {
      graph: editor().graph,
      settings,
      initial: !s.continueWeights,
      ...(resume ? { resume: resume.bytes } : {}),
    });
    const run = session().getState().run;
    session().setState({
      run: { ...run, status: 'done', outcome, epochs: outcome.epochs },
      weights: 'trained',
    });
  } catch (error) {
    const run = session().getState().run;
    const message = error instanceof EngineError ? error.message : String(error);
    session().setState({ run: { ...run, status: 'failed', error: message } });
  }
}

async function control(action: 'pause' | 'resume' | 'stop'): Promise<void> {
  const run = session().getState().run;
  if (!isRunning(run.status)) return;
  const phase = await engine().call('train.control', { action });
  // A pause shows once the step in progress has ended (the worker's 'paused' phase event).
  if (action === 'pause') return;
  const now = session().getState().run;
  if (phase !== 'idle' && isRunning(now.status)) session().setState({ run: { ...now, status: phase } });
}

/** Asks for a full training checkpoint (.pt, as Export > Training checkpoint or the CLI writes) and resumes it. */
export async function resumeFromCheckpoint(): Promise<void> {
  if (isRunning(session().getState().run.status)) return;
  try {
    const [file] = await platform().pickDataFiles({
      filters: [{ name: 'Training checkpoint', extensions: ['pt', 'pth', 'ckpt'] }],
    });
    if (!file) return;
    await startTraining({ name: file.name, bytes: new Uint8Array(await file.read()) });
  } catch (error) {
    editor().notify(
      `The checkpoint could not be read: ${(error as Error).message || String(error)}`,
      'error',
    );
  }
}

export const pauseTraining = () => control('pause');
export const resumeTraining = () => control('resume');
export const stopTraining = () => control('stop');

/** Pause when running, resume when paused (the menu's Pause item and the keyboard). */
export function togglePause(): Promise<void> {
  return session().getState().run.status === 'paused' ? resumeTraining() : pauseTraining();
}

/** `1m 05s`, `12s`. */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}
