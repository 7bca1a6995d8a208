// The one interface between the renderer and its host: files, dialogs, recent files and app info.
// The web page implements it with the File System Access API (or downloads and uploads); the desktop app
// implements it in the Electron preload and exposes it as `window.neurocanvas`.

/** A file the platform can write to again without asking (a handle on the web, a path on the desktop). */
export interface FileRef {
  /** Stable id, used to find the file in the recent list. */
  id: string;
  /** File name shown to the user, e.g. `lenet.ncproj.json`. */
  name: string;
  /** Full path where the platform knows it (desktop). */
  path?: string;
}

export interface OpenedFile {
  ref: FileRef;
  text: string;
}

/** A data file the user picked (MNIST IDX, CIFAR binary, images, NPY). */
export interface PickedFile {
  name: string;
  /** Path inside a picked folder, e.g. `cats/001.png`; the name otherwise. */
  relativePath: string;
  size: number;
  read(): Promise<ArrayBuffer>;
}

export interface FileFilter {
  /** e.g. `NeuroCanvas project` */
  name: string;
  /** Extensions without the dot, e.g. `['json']`. */
  extensions: string[];
}

export interface RecentFile {
  ref: FileRef;
  /** Milliseconds since the epoch. */
  openedAt: number;
}

export interface AppInfo {
  name: string;
  version: string;
  /** `web`, or the desktop OS: `win32`, `darwin`, `linux`. */
  platform: string;
}

export interface Platform {
  kind: 'web' | 'desktop';
  /** Asks for a project file; null when the user cancels. */
  openProject(): Promise<OpenedFile | null>;
  /** Reopens a file from the recent list; null when it is gone or permission is refused. */
  openRecent(ref: FileRef): Promise<OpenedFile | null>;
  /**
   * Writes a project. With `ref` it writes there without asking; without it (or with `saveAs`) it asks
   * where. Returns where it was written, or null when the user cancels.
   */
  saveProject(text: string, suggestedName: string, ref: FileRef | null): Promise<FileRef | null>;
  /** Saves bytes (a `.pt` state_dict, safetensors, an image); false when the user cancels. */
  saveBinary(data: Uint8Array, suggestedName: string, filters: FileFilter[]): Promise<boolean>;
  /** Asks for data files, or a whole folder with `directory`. Empty when the user cancels. */
  pickDataFiles(options: {
    filters?: FileFilter[];
    multiple?: boolean;
    directory?: boolean;
  }): Promise<PickedFile[]>;
  recentFiles(): Promise<RecentFile[]>;
  addRecent(ref: FileRef): Promise<void>;
  /**
   * The data a reopened project names on disk (`dataset.path`), granted and listed so it can be read again; empty
   * when the project names none. Null where the platform cannot reach saved paths (a browser: drop it again).
   */
  reopenData(ref: FileRef): Promise<PickedFile[] | null>;
  appInfo(): AppInfo;
}

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a browser. */
    neurocanvas?: Platform;
  }
}
