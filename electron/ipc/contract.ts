// The desktop bridge's types: the renderer's Platform shape (mirrored, never imported) plus the desktop extras.
// NOTE: electron/ must not import renderer code; test/unit/electron-bridge.test.ts proves these types equal
// renderer/src/platform/types.ts, so a change on either side fails the typecheck until both agree.

import type { CommandId } from './commands.ts';

export interface FileRef {
  /** Stable id, used to find the file in the recent list. On the desktop it is the full path. */
  id: string;
  name: string;
  path?: string;
}

export interface OpenedFile {
  ref: FileRef;
  text: string;
}

export interface PickedFile {
  name: string;
  relativePath: string;
  size: number;
  read(): Promise<ArrayBuffer>;
}

export interface FileFilter {
  name: string;
  extensions: string[];
}

export interface RecentFile {
  ref: FileRef;
  openedAt: number;
}

export interface AppInfo {
  name: string;
  version: string;
  platform: string;
}

export interface PickDataOptions {
  filters?: FileFilter[];
  multiple?: boolean;
  directory?: boolean;
}

/** Structurally identical to the renderer's `Platform`. */
export interface DesktopPlatform {
  kind: 'web' | 'desktop';
  openProject(): Promise<OpenedFile | null>;
  openRecent(ref: FileRef): Promise<OpenedFile | null>;
  saveProject(text: string, suggestedName: string, ref: FileRef | null): Promise<FileRef | null>;
  saveBinary(data: Uint8Array, suggestedName: string, filters: FileFilter[]): Promise<boolean>;
  pickDataFiles(options: {
    filters?: FileFilter[];
    multiple?: boolean;
    directory?: boolean;
  }): Promise<PickedFile[]>;
  recentFiles(): Promise<RecentFile[]>;
  addRecent(ref: FileRef): Promise<void>;
  reopenData(ref: FileRef): Promise<PickedFile[] | null>;
  appInfo(): AppInfo;
}

/** What a menu item (or the OS opening a file) asks the renderer to do. */
export interface AppCommand {
  id: CommandId;
  /** For `file.openRecent`: the file to open (already granted by the main process). */
  ref?: FileRef;
  /** For `templates.open`: the template id from templates/index.json. */
  template?: string;
}

/** One file of a picked or dropped folder, as the main process listed it. */
export interface DataEntry {
  name: string;
  /** Path inside the picked folder with `/` separators, e.g. `cats/001.png`; the name for a single file. */
  relativePath: string;
  size: number;
  /** Absolute path on disk; granted to this window. */
  path: string;
}

/** A picked data file on the desktop: a `PickedFile` that also knows where it lives. */
export interface DesktopPickedFile extends PickedFile {
  path: string;
}

export interface DataProgress {
  bytesDone: number;
  bytesTotal: number;
  filesDone: number;
  filesTotal: number;
}

export interface DataChunk {
  relativePath: string;
  fileSize: number;
  /** Byte offset of `bytes` inside its file. */
  offset: number;
  bytes: Uint8Array;
  /** True on the last chunk of a file (an empty file sends one empty chunk). */
  fileDone: boolean;
}

export type DataStreamStep =
  | { done: false; chunk: DataChunk; progress: DataProgress }
  | { done: true; progress: DataProgress };

export interface DataStreamInfo {
  /** The request id: pass it to next and cancel. */
  id: string;
  filesTotal: number;
  bytesTotal: number;
}

/** A running read of a granted file or folder; pull chunks with `next`, stop early with `cancel`. */
export interface DataStream extends DataStreamInfo {
  next(): Promise<DataStreamStep>;
  cancel(): Promise<void>;
}

/** What only the desktop offers, next to the Platform methods. */
export interface DesktopExtras {
  /** Runs `callback` for every menu command; returns a function that stops listening. */
  onCommand(callback: (command: AppCommand) => void): () => void;
  /** Grants files and folders dropped from the OS (File objects from a drop event) and lists their files. */
  droppedFiles(files: File[]): Promise<DesktopPickedFile[]>;
  /** Streams a granted file or folder to the renderer in chunks, with progress; cancellable. */
  streamData(path: string): Promise<DataStream>;
}

/** Exactly what the preload exposes as `window.neurocanvas`. */
export type NeuroCanvasBridge = DesktopPlatform & DesktopExtras;
