// Data commands: start the engine with the built-in digits, import dropped or picked files with progress and
// Cancel, fit the data to the network, and refresh the plain and augmented preview grids.

import type { AugmentOptions } from '../../../engine/data/augment.ts';
import type { ImageShape } from '../../../engine/data/types.ts';
import type { DataItems } from '../platform/drops.ts';
import { fromPicked, relativeToRoot } from '../platform/drops.ts';
import { platform } from '../platform/index.ts';
import { editorStore } from '../store/useEditor.ts';
import { EngineError } from '../worker/client.ts';
import type { BackendChoice, ImportFile } from '../worker/protocol.ts';
import { engine } from './engine.ts';
import { sessionStore } from './store.ts';

const session = () => sessionStore();

/** The data formats offered in the file picker. */
export const DATA_FILTERS = [
  {
    name: 'Data sets',
    extensions: ['gz', 'ubyte', 'bin', 'tar', 'tgz', 'zip', 'npy', 'npz', 'csv', 'png', 'jpg', 'jpeg'],
  },
];

function failed(error: unknown): string | null {
  if (error instanceof EngineError && error.cancelled) return null;
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
    options: s.augment,
    key: s.augmentKey,
  });
  session().setState({ augmented });
}

export function setAugment(patch: Partial<AugmentOptions>): void {
  const s = session().getState();
  const next: AugmentOptions = { ...s.augment, ...patch };
  for (const key of Object.keys(next) as (keyof AugmentOptions)[])
    if (next[key] === undefined) delete next[key];
  session().setState({ augment: next });
  void refreshAugmented().catch(() => undefined);
}

/** Draws new random augmentations for the same samples. */
export function rerollAugment(): void {
  session().setState({ augmentKey: (Math.random() * 2 ** 32) >>> 0 });
  void refreshAugmented().catch(() => undefined);
}

async function runDataTask(label: string, work: (signal: AbortSignal) => Promise<unknown>): Promise<boolean> {
  const abort = new AbortController();
  session().setState({
    dataTask: { label, fraction: 0, message: '', cancel: () => abort.abort() },
    dataError: null,
  });
  try {
    await work(abort.signal);
    session().setState({ dataTask: null });
    await refreshPreview();
    return true;
  } catch (error) {
    session().setState({ dataTask: null, dataError: failed(error) });
    return false;
  }
}

const onProgress = (fraction: number, message: string) => {
  const task = session().getState().dataTask;
  if (task) session().setState({ dataTask: { ...task, fraction, message } });
};

/** Opens the engine (GPU when it can) and loads the built-in digits. Called once at start. */
export async function startEngine(prefer: BackendChoice = session().getState().prefer): Promise<void> {
  try {
    const info = await engine().call('engine.open', { prefer });
    session().setState({ info, prefer });
  } catch (error) {
    session().setState({ dataError: failed(error) });
  }
  // NOTE: loading at start does not touch the project (it would count as an unsaved change).
  if (!session().getState().data) await loadBuiltin({ remember: false });
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

/** Imports dropped or picked files in the worker, with progress. */
export async function importData(dropped: DataItems, path?: string): Promise<boolean> {
  const files: ImportFile[] = await Promise.all(
    dropped.items.map(async (item) =>
      item.file
        ? { path: item.relativePath, file: item.file }
        : { path: item.relativePath, bytes: await item.read() },
    ),
  );
  return runDataTask(`Importing ${dropped.name}`, async (signal) => {
    const data = await engine().call('data.import', { files, name: dropped.name }, { signal, onProgress });
    session().setState({ data });
    if (path) editorStore().getState().setDataset({ source: 'path', path });
  });
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
export async function chooseBackend(prefer: BackendChoice): Promise<void> {
  const info = await engine().call('engine.open', { prefer });
  session().setState({ info, prefer });
}
