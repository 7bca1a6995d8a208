// Files and folders dropped on the window: walked through the browser's entries (folders included), or granted
// and listed by the desktop app; paths made relative to the one folder dropped, as the data readers expect.

import type { PickedFile } from './types.ts';

/** One dropped or picked file; `file` is set where the browser gave a File the worker can read itself. */
export interface DataItem {
  relativePath: string;
  size: number;
  file?: File;
  /** Where it lives on disk (desktop only). */
  path?: string;
  read(): Promise<ArrayBuffer>;
}

export interface DataItems {
  /** The folder or file the user dropped, or `3 files`. */
  name: string;
  items: DataItem[];
}

interface DesktopDrops {
  droppedFiles?(files: File[]): Promise<PickedFile[]>;
}

const fromFile = (file: File, relativePath: string): DataItem => ({
  relativePath,
  size: file.size,
  file,
  read: () => file.arrayBuffer(),
});

export const fromPicked = (p: PickedFile & { path?: string }): DataItem => ({
  relativePath: p.relativePath || p.name,
  size: p.size,
  ...(p.path ? { path: p.path } : {}),
  read: () => p.read(),
});

function readEntries(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

async function walk(entry: FileSystemEntry, prefix: string, out: DataItem[]): Promise<void> {
  const path = prefix ? `${prefix}/${entry.name}` : entry.name;
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) =>
      (entry as FileSystemFileEntry).file(resolve, reject),
    );
    out.push(fromFile(file, path));
    return;
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // NOTE: readEntries answers in batches (100 in Chromium); an empty batch means the folder is done.
  for (;;) {
    const batch = await readEntries(reader);
    if (batch.length === 0) break;
    for (const child of batch) await walk(child, path, out);
  }
}

/**
 * Removes the one top folder every path shares (`digits/0/a.png` -> `0/a.png`) and names the set after it; a
 * single file keeps its name.
 */
export function relativeToRoot(items: DataItem[], fallback: string): DataItems {
  const firsts = new Set(items.map((i) => i.relativePath.split('/')[0]));
  const nested = items.every((i) => i.relativePath.includes('/'));
  if (items.length > 0 && firsts.size === 1 && nested) {
    const root = [...firsts][0]!;
    return {
      name: root,
      items: items.map((i) => ({ ...i, relativePath: i.relativePath.slice(root.length + 1) })),
    };
  }
  const only = items.length === 1 ? items[0]!.relativePath : fallback;
  return { name: only, items };
}

/**
 * What a drop carried. NOTE: call it from the drop handler itself: the browser empties the DataTransfer once
 * the handler returns, so the entries are taken synchronously before anything is awaited.
 */
export function droppedData(transfer: DataTransfer): Promise<DataItems> {
  const files = [...transfer.files];
  const fallback = `${files.length} files`;
  const desktop = (window.neurocanvas as DesktopDrops | undefined)?.droppedFiles;
  if (desktop) return desktop(files).then((picked) => relativeToRoot(picked.map(fromPicked), fallback));
  const entries = [...transfer.items]
    .filter((item) => item.kind === 'file')
    .map((item) => item.webkitGetAsEntry?.() ?? null);
  if (entries.length > 0 && entries.every((e) => e !== null))
    return (async () => {
      const items: DataItem[] = [];
      for (const entry of entries) await walk(entry!, '', items);
      return relativeToRoot(items, fallback);
    })();
  // No entries (a drop made by a script, an old browser): the files as they are, with any relative path they carry.
  return Promise.resolve(
    relativeToRoot(
      files.map((f) => fromFile(f, f.webkitRelativePath || f.name)),
      fallback,
    ),
  );
}

/** True when a drag carries files from outside (not a layer dragged from the palette). */
export function carriesFiles(transfer: DataTransfer | null): boolean {
  return transfer !== null && [...transfer.types].includes('Files');
}
