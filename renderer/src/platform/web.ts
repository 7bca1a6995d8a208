// The platform in a browser: File System Access API where the browser has it, downloads and uploads otherwise.

import { fileAccess, isAbort, type PermissionHandle, type PickerType, walkDirectory } from './fileAccess.ts';
import { idbAvailable, idbGet, idbSet } from './idb.ts';
import type { FileFilter, FileRef, OpenedFile, PickedFile, Platform, RecentFile } from './types.ts';

const PROJECT_TYPES: PickerType[] = [
  { description: 'NeuroCanvas project', accept: { 'application/json': ['.json'] } },
];
const RECENT_KEY = 'recent-files';
const RECENT_LIMIT = 10;

interface StoredRecent extends RecentFile {
  /** A FileSystemFileHandle survives in IndexedDB (structured clone), so recent files reopen. */
  handle?: FileSystemFileHandle;
}

function pickerTypes(filters: FileFilter[]): PickerType[] {
  return filters.map((f) => ({
    description: f.name,
    accept: { 'application/octet-stream': f.extensions.map((e) => `.${e}`) },
  }));
}

function newRef(name: string): FileRef {
  return { id: `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`, name };
}

/** Starts a download of `data` as `name`: the fallback when the browser cannot write files. */
function download(data: BlobPart, name: string, type: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Opens the browser's file chooser through a hidden `<input type=file>`; resolves empty on cancel. */
function upload(options: { accept?: string; multiple?: boolean; directory?: boolean }): Promise<File[]> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    if (options.accept) input.accept = options.accept;
    input.multiple = options.multiple === true;
    if (options.directory) input.setAttribute('webkitdirectory', '');
    input.style.display = 'none';
    input.addEventListener('change', () => {
      resolve([...(input.files ?? [])]);
      input.remove();
    });
    input.addEventListener('cancel', () => {
      resolve([]);
      input.remove();
    });
    document.body.append(input);
    input.click();
  });
}

function picked(file: File, relativePath = file.webkitRelativePath || file.name): PickedFile {
  return { name: file.name, relativePath, size: file.size, read: () => file.arrayBuffer() };
}

async function ensurePermission(handle: FileSystemFileHandle, mode: 'read' | 'readwrite'): Promise<boolean> {
  const h = handle as unknown as PermissionHandle;
  if (!h.queryPermission || !h.requestPermission) return true;
  if ((await h.queryPermission({ mode })) === 'granted') return true;
  return (await h.requestPermission({ mode })) === 'granted';
}

export function createWebPlatform(): Platform {
  /** Handles of files opened or saved in this session, by ref id. */
  const handles = new Map<string, FileSystemFileHandle>();

  const readRecent = async (): Promise<StoredRecent[]> =>
    idbAvailable() ? ((await idbGet<StoredRecent[]>(RECENT_KEY).catch(() => undefined)) ?? []) : [];

  const remember = async (ref: FileRef) => {
    if (!idbAvailable()) return;
    const handle = handles.get(ref.id);
    const rest = (await readRecent()).filter((r) => r.ref.id !== ref.id && r.ref.name !== ref.name);
    const entry: StoredRecent = { ref, openedAt: Date.now(), ...(handle ? { handle } : {}) };
    await idbSet(RECENT_KEY, [entry, ...rest].slice(0, RECENT_LIMIT)).catch(() => undefined);
  };

  return {
    kind: 'web',

    async openProject() {
      const fs = fileAccess();
      if (fs.showOpenFilePicker) {
        try {
          const [handle] = await fs.showOpenFilePicker({ types: PROJECT_TYPES });
          if (!handle) return null;
          const ref = newRef(handle.name);
          handles.set(ref.id, handle);
          return { ref, text: await (await handle.getFile()).text() };
        } catch (error) {
          if (isAbort(error)) return null;
          throw error;
        }
      }
      const [file] = await upload({ accept: '.json,application/json' });
      return file ? { ref: newRef(file.name), text: await file.text() } : null;
    },

    async openRecent(ref) {
      const entry = (await readRecent()).find((r) => r.ref.id === ref.id);
      const handle = handles.get(ref.id) ?? entry?.handle;
      if (!handle || !(await ensurePermission(handle, 'read'))) return null;
      handles.set(ref.id, handle);
      try {
        return { ref, text: await (await handle.getFile()).text() } satisfies OpenedFile;
      } catch {
        return null;
      }
    },

    async saveProject(text, suggestedName, ref) {
      const existing = ref ? handles.get(ref.id) : undefined;
      if (ref && existing && (await ensurePermission(existing, 'readwrite'))) {
        const writable = await existing.createWritable();
        await writable.write(text);
        await writable.close();
        return ref;
      }
      const fs = fileAccess();
      if (fs.showSaveFilePicker) {
        try {
          const handle = await fs.showSaveFilePicker({ suggestedName, types: PROJECT_TYPES });
          const writable = await handle.createWritable();
          await writable.write(text);
          await writable.close();
          const saved = newRef(handle.name);
          handles.set(saved.id, handle);
          return saved;
        } catch (error) {
          if (isAbort(error)) return null;
          throw error;
        }
      }
      download(text, suggestedName, 'application/json');
      return newRef(suggestedName);
    },

    async saveBinary(data, suggestedName, filters) {
      const fs = fileAccess();
      if (fs.showSaveFilePicker) {
        try {
          const handle = await fs.showSaveFilePicker({ suggestedName, types: pickerTypes(filters) });
          const writable = await handle.createWritable();
          await writable.write(data as Uint8Array<ArrayBuffer>);
          await writable.close();
          return true;
        } catch (error) {
          if (isAbort(error)) return false;
          throw error;
        }
      }
      download(data as Uint8Array<ArrayBuffer>, suggestedName, 'application/octet-stream');
      return true;
    },

    async pickDataFiles({ filters = [], multiple = false, directory = false }) {
      const fs = fileAccess();
      try {
        if (directory && fs.showDirectoryPicker) {
          const folder = await fs.showDirectoryPicker({ mode: 'read' });
          const files: PickedFile[] = [];
          for await (const { file, relativePath } of walkDirectory(folder))
            files.push(picked(file, relativePath));
          return files;
        }
        if (!directory && fs.showOpenFilePicker) {
          const chosen = await fs.showOpenFilePicker({ types: pickerTypes(filters), multiple });
          return Promise.all(chosen.map(async (h) => picked(await h.getFile())));
        }
      } catch (error) {
        if (isAbort(error)) return [];
        throw error;
      }
      const accept = filters.flatMap((f) => f.extensions.map((e) => `.${e}`)).join(',');
      return (await upload({ accept, multiple, directory })).map((f) => picked(f));
    },

    async recentFiles() {
      return (await readRecent()).map(({ ref, openedAt }) => ({ ref, openedAt }));
    },

    addRecent: remember,

    // NOTE: a page cannot open a path it was not handed; the data has to be dropped or picked again.
    reopenData: async () => null,

    appInfo() {
      return { name: 'NeuroCanvas', version: __APP_VERSION__, platform: 'web' };
    },
  };
}
