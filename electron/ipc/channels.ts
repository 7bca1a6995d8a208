// The one list of IPC channels, shared by main and preload: each request channel with its arguments and
// answer, the one main -> renderer channel for menu commands, and the one renderer -> main signal.

import type {
  AppCommand,
  DataEntry,
  DataStreamInfo,
  DataStreamStep,
  FileFilter,
  FileRef,
  OpenedFile,
  PickDataOptions,
  RecentFile,
} from './contract.ts';

/** Request channels (renderer -> main, answered): `ipcRenderer.invoke` / `ipcMain.handle`. */
export interface InvokeContract {
  openProject: { args: []; result: OpenedFile | null };
  openRecent: { args: [ref: FileRef]; result: OpenedFile | null };
  saveProject: { args: [text: string, suggestedName: string, ref: FileRef | null]; result: FileRef | null };
  saveBinary: { args: [data: Uint8Array, suggestedName: string, filters: FileFilter[]]; result: boolean };
  pickDataFiles: { args: [options: PickDataOptions]; result: DataEntry[] };
  grantDropped: { args: [paths: string[]]; result: DataEntry[] };
  projectData: { args: [ref: FileRef]; result: DataEntry[] };
  streamOpen: { args: [path: string]; result: DataStreamInfo };
  streamNext: { args: [id: string]; result: DataStreamStep };
  streamCancel: { args: [id: string]; result: boolean };
  recentFiles: { args: []; result: RecentFile[] };
  addRecent: { args: [ref: FileRef]; result: undefined };
}

export type InvokeName = keyof InvokeContract;

export const INVOKE_CHANNELS = {
  openProject: 'neurocanvas:project-open',
  openRecent: 'neurocanvas:project-open-recent',
  saveProject: 'neurocanvas:project-save',
  saveBinary: 'neurocanvas:binary-save',
  pickDataFiles: 'neurocanvas:data-pick',
  grantDropped: 'neurocanvas:data-grant-dropped',
  projectData: 'neurocanvas:data-of-project',
  streamOpen: 'neurocanvas:data-stream-open',
  streamNext: 'neurocanvas:data-stream-next',
  streamCancel: 'neurocanvas:data-stream-cancel',
  recentFiles: 'neurocanvas:recent-list',
  addRecent: 'neurocanvas:recent-add',
} as const satisfies Record<InvokeName, string>;

/** main -> renderer: a menu command (payload: AppCommand). */
export const COMMAND_CHANNEL = 'neurocanvas:command';
/** renderer -> main: the renderer listens for commands now; main sends the ones it held back. */
export const COMMANDS_READY_CHANNEL = 'neurocanvas:commands-ready';

export type CommandPayload = AppCommand;
