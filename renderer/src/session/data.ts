// Data commands: start the engine with the built-in digits, import dropped or picked files with progress and
// Cancel, fit the data to the network, and refresh the plain and augmented preview grids.

import type { AugmentOptions } from '../../../engine/data/augment.ts';
import type { ImageShape } from '../../../engine/data/types.ts';
import type { DataItems } from '../platform/drops.ts';
import { fromPicked, relativeToRoot } from '../platform/drops.ts';
import { platform } from '../platform/index.ts';
import { readStreamed, streamingHost } from '../platform/streamed.ts';
import type { FileRef } from '../platform/types.ts';
import { editorStore } from '../store/useEditor.ts';
import { EngineError } from '../worker/client.ts';
import type { BackendPreference, ImportFile } from '../worker/protocol.ts';
import { engine } from './engine.ts';
import { sessionStore } from './store.ts';
import { projectTraining, updateTraining } from './training.ts';

const session = () => sessionStore();

/** The data formats offered in the file picker. */
export const DATA_FILTERS = [
  {
    name: 'Data sets',
    extensions: ['gz', 'ubyte', 'bin', 'tar', 'tgz', 'zip', 'npy', 'npz', 'csv', 'png', 'jpg', 'jpeg'],
  },
];

function failed(error: unknown): string | null {
  if ((error instanceof EngineError && error.cancelled) || (error as Error)?.name === 'AbortError')
    return null;
  return (error as Error).message || String(error);
}

/** Asks the worker for the preview samples, plain and augmented. */
export async function refreshPreview(): Promise<void> {
  const s = session().getState();
  const indices = s.data?.preview ?? [];
  if (indices.length === 0) return;
  const preview = await engine().call('data.samples', { indices });
  session().setState({ preview, previewIndices: indices });
  await refreshAugmented();
}

export async function refreshAugmented(): Promise<void> {
  const s = session().getState();
  if (s.previewIndices.length === 0) return;
  const augmented = await engine().call('data.augment', {
    indices: s.previewIndices,
    options: projectTraining().augment ?? {},
    key: s.augmentKey,
  });
  session().setState({ augmented });
}

/** Changes the project's augmentation (none left on is null) and redraws the augmented samples. */
export function setAugment(patch: Partial<AugmentOptions>): void {
  const next: AugmentOptions = { ...projectTraining().augment, ...patch };
  for (const key of Object.keys(next) as (keyof AugmentOptions)[])
    if (next[key] === undefined) delete next[key];
  updateTraining({ augment: Object.keys(next).length ? next : null });
  void refreshAugmented().catch(() => undefined);
}

/** Draws new random augmentations for the same samples. */
export function rerollAugment(): void {
  session().setState({ augmentKey: (Math.random() * 2 ** 32) >>> 0 });
  void refreshAugmented().catch(() => undefined);
}

/** The data task in progress: a new one cancels it and waits for it to end before it starts. */
let running: { abort: AbortController; ended: Promise<unknown> } | null = null;

/**
 * Runs one data task (built-in digits, an import) with progress and Cancel. Tasks run one at a time, the last one
 * asked for winning: a project opened while the built-in digits load at start cancels that load, so the digits
 * cannot land after (and over) the project's own data, in the worker or here.
 */
async function runDataTask(label: string, work: (signal: AbortSignal) => Promise<unknown>): Promise<boolean> {
  const previous = running;
  const abort = new AbortController();
  let end = () => {};
  const mine = { abort, ended: new Promise<void>((resolve) => (end = resolve)) };
  running = mine;
  try {
    if (previous) {
      previous.abort.abort();
      await previous.ended;
    }
    if (running !== mine) return false; // a newer task came while this one waited
    session().setState({
      dataTask: { label, fraction: 0, message: '', cancel: () => abort.abort() },
      dataError: null,
    });
    try {
      await work(abort.signal);
      session().setState({ dataTask: null });
      if (running === mine) await refreshPreview();
      return true;
    } catch (error) {
      session().setState({ dataTask: null, dataError: failed(error) });
      return false;
    }
  } finally {
    if (running === mine) running = null;
    end();
  }
}

const onProgress = (fraction: number, message: string) => {
  const task = session().getState().dataTask;
  if (task) session().setState({ dataTask: { ...task, fraction, message } });
};

/** Opens the engine (GPU when it can) and loads the built-in digits. Called once at start. */
export async function startEngine(prefer: BackendPreference = session().getState().prefer): Promise<void> {
  try {
    const info = await engine().call('engine.open', { prefer });
    session().setState({ info, prefer });
  } catch (error) {
    session().setState({ dataError: failed(error) });
  }
  // NOTE: loading at start does not touch the project (it would count as an unsaved change), and gives way to
  // data a project opened at launch is already loading.
  if (!session().getState().data && running === null) await loadBuiltin({ remember: false });
}

/** Loads the built-in digits; `remember` records them as the project's data (the user chose them). */
export async function loadBuiltin(options: { remember: boolean } = { remember: true }): Promise<boolean> {
  return runDataTask('Loading the built-in digits', async (signal) => {
    const data = await engine().call('data.builtin', {}, { signal, onProgress });
    session().setState({ data });
    const s = editorStore().getState();
    if (options.remember && s.meta.dataset?.source !== 'builtin')
      s.setDataset({ source: 'builtin', name: 'mnist' });
  });
}

/**
 * The files to hand the worker: browser Files as they are (the worker reads them), desktop files through the main
 * process's data stream (with progress), anything else read here.
 */
async function importFiles(dropped: DataItems, signal: AbortSignal): Promise<ImportFile[]> {
  const host = streamingHost();
  const onDisk = dropped.items.filter((item) => !item.file && item.path);
  const streamed = host && onDisk.length ? await readStreamed(host, onDisk, { signal, onProgress }) : null;
  return Promise.all(
    dropped.items.map(async (item): Promise<ImportFile> => {
      if (item.file) return { path: item.relativePath, file: item.file };
      const bytes = streamed?.get(item);
      // NOTE: a whole ArrayBuffer (not a view into a larger one), so it can be transferred to the worker.
      if (bytes) return { path: item.relativePath, bytes: bytes.buffer as ArrayBuffer };
      return { path: item.relativePath, bytes: await item.read() };
    }),
  );
}

/** Imports dropped or picked files in the worker, with progress. */
export async function importData(dropped: DataItems, path?: string): Promise<boolean> {
  return runDataTask(`Importing ${dropped.name}`, async (signal) => {
    const files = await importFiles(dropped, signal);
    const data = await engine().call('data.import', { files, name: dropped.name }, { signal, onProgress });
    session().setState({ data });
    if (path) editorStore().getState().setDataset({ source: 'path', path });
  });
}

/**
 * Reads the data a reopened project was trained on again (its saved `dataset.path`): on the desktop through the
 * platform, which grants just that path; a browser cannot, and says to drop it again.
 */
export async function reopenProjectData(ref: FileRef, path: string): Promise<boolean> {
  try {
    const picked = await platform().reopenData(ref);
    if (picked === null) {
      editorStore()
        .getState()
        .notify(
          `This project's data is ${path}: a browser cannot open it by itself. Drop it on the window again.`,
        );
      return false;
    }
    if (picked.length === 0) return false;
    // The project keeps the path it was saved with (the data is the same), so it does not count as changed.
    const name = path.split(/[\\/]/).filter(Boolean).pop() ?? `${picked.length} files`;
    return await importData(relativeToRoot(picked.map(fromPicked), name));
  } catch (error) {
    session().setState({ dataError: `${path} could not be read again: ${failed(error)}` });
    return false;
  }
}

/** Asks for data files (or a folder) through the platform and imports them. */
export async function pickData(directory: boolean): Promise<void> {
  try {
    const picked = await platform().pickDataFiles({ filters: DATA_FILTERS, multiple: true, directory });
    if (picked.length === 0) return;
    const items = relativeToRoot(picked.map(fromPicked), `${picked.length} files`);
    const path = items.items[0]?.path;
    await importData(items, picked.length === 1 ? path : undefined);
  } catch (error) {
    session().setState({ dataError: failed(error) });
  }
}

/** Resizes and/or converts the images to `shape` (a copy: the imported originals are kept). */
export async function fitData(shape: ImageShape): Promise<boolean> {
  return runDataTask(`Fitting the images to ${shape.join(' x ')}`, async (signal) => {
    const data = await engine().call('data.fit', { shape }, { signal, onProgress });
    session().setState({ data });
  });
}

/** Switches between WebGPU and the CPU for the next run. */
export async function chooseBackend(prefer: BackendPreference): Promise<void> {
  const info = await engine().call('engine.open', { prefer });
  session().setState({ info, prefer });
}
