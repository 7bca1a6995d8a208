// Autosave to IndexedDB: the project is written a moment after each change, and restored on the next start
// (after a crash, a closed tab or a reload), unsaved changes included.

import { type Project, parseProject, serializeProject } from '../../../engine/io/project/project.ts';
import { idbAvailable, idbDelete, idbGet, idbSet } from '../platform/idb.ts';
import type { EditorStore } from '../store/editor.ts';

const KEY = 'autosave';
const DELAY_MS = 400;

interface AutosaveRecord {
  text: string;
  /** Whether the project had changes that were not saved to a file. */
  dirty: boolean;
  fileName: string | null;
  at: number;
}

export interface Recovered {
  project: Project;
  dirty: boolean;
  at: number;
}

/** The autosaved project, if there is one that still parses. */
export async function readAutosave(): Promise<Recovered | null> {
  if (!idbAvailable()) return null;
  try {
    const record = await idbGet<AutosaveRecord>(KEY);
    if (!record) return null;
    return { project: parseProject(record.text), dirty: record.dirty, at: record.at };
  } catch {
    return null;
  }
}

export function clearAutosave(): Promise<void> {
  return idbAvailable() ? idbDelete(KEY).catch(() => undefined) : Promise.resolve();
}

/** Starts writing the store's project after changes; returns a function that stops it. */
export function startAutosave(store: EditorStore): () => void {
  if (!idbAvailable()) return () => undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const write = () => {
    timer = undefined;
    const s = store.getState();
    const record: AutosaveRecord = {
      text: serializeProject(s.toProject()),
      dirty: s.dirty,
      fileName: s.file?.name ?? null,
      at: Date.now(),
    };
    idbSet(KEY, record)
      .then(() => store.getState().setUi({ autosavedAt: record.at }))
      .catch((error: unknown) =>
        store
          .getState()
          .notify(`Autosave failed: ${(error as Error).message}. Save the project to a file.`, 'error'),
      );
  };
  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(write, DELAY_MS);
  };
  const unsubscribe = store.subscribe((s, before) => {
    if (
      s.graph !== before.graph ||
      s.layout !== before.layout ||
      s.meta !== before.meta ||
      s.dirty !== before.dirty
    )
      schedule();
  });
  const flush = () => {
    if (timer) {
      clearTimeout(timer);
      write();
    }
  };
  window.addEventListener('pagehide', flush);
  return () => {
    unsubscribe();
    window.removeEventListener('pagehide', flush);
    if (timer) clearTimeout(timer);
  };
}
