// The native dialogs the handlers need, as an interface: main.ts implements it with Electron's `dialog`,
// tests with a stand-in that answers with temporary paths.

import type { FileFilter } from './contract.ts';

export interface OpenDialogOptions {
  title: string;
  filters: FileFilter[];
  multiple: boolean;
  /** Pick folders instead of files. */
  directory: boolean;
}

export interface SaveDialogOptions {
  title: string;
  /** The name offered, e.g. `lenet-5.json`. */
  defaultName: string;
  /** Where the dialog starts: the file's current location when known. */
  defaultPath?: string;
  filters: FileFilter[];
}

export interface Dialogs {
  /** The chosen absolute paths; empty when the user cancels. */
  chooseOpen(options: OpenDialogOptions): Promise<string[]>;
  /** The chosen absolute path; null when the user cancels. */
  chooseSave(options: SaveDialogOptions): Promise<string | null>;
}
