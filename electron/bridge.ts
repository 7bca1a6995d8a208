// Builds `window.neurocanvas`: one method per IPC message, each answer unwrapped (errors thrown in the user's
// words). Takes ipcRenderer and webUtils as parameters, so tests drive it without Electron.

import {
  COMMAND_CHANNEL,
  COMMANDS_READY_CHANNEL,
  INVOKE_CHANNELS,
  type InvokeContract,
  type InvokeName,
} from './ipc/channels.ts';
import { isCommandId } from './ipc/commands.ts';
import type { AppCommand, AppInfo, DataEntry, DesktopPickedFile, NeuroCanvasBridge } from './ipc/contract.ts';
import type { ErrorCode, IpcResult } from './ipc/errors.ts';

/** The part of Electron's ipcRenderer the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  send(channel: string, ...args: unknown[]): void;
}

/** The part of Electron's webUtils the bridge uses. */
export interface WebUtilsLike {
  getPathForFile(file: File): string;
}

/** An error from the main process; `message` is ready to show, `code` is stable (see ipc/errors.ts). */
export class DesktopError extends Error {
  constructor(
    readonly code: ErrorCode | 'bridge-failed',
    message: string,
  ) {
    super(message);
    this.name = 'DesktopError';
  }
}

export function createBridge(ipc: IpcRendererLike, webUtils: WebUtilsLike, info: AppInfo): NeuroCanvasBridge {
  async function call<K extends InvokeName>(
    name: K,
    ...args: InvokeContract[K]['args']
  ): Promise<InvokeContract[K]['result']> {
    const answer = (await ipc.invoke(INVOKE_CHANNELS[name], ...args)) as IpcResult<
      InvokeContract[K]['result']
    >;
    if (!answer || typeof answer !== 'object' || !('ok' in answer))
      throw new DesktopError(
        'bridge-failed',
        'NeuroCanvas got no answer from the desktop side. Please restart it.',
      );
    if (!answer.ok) throw new DesktopError(answer.error.code, answer.error.message);
    return answer.value;
  }

  /** Reads one granted file whole, pulling it through the chunked stream. */
  async function readWhole(path: string): Promise<ArrayBuffer> {
    const stream = await call('streamOpen', path);
    let bytes = new Uint8Array(stream.bytesTotal);
    let length = 0;
    try {
      for (;;) {
        const step = await call('streamNext', stream.id);
        if (step.done) break;
        const { offset, bytes: chunk } = step.chunk;
        if (offset + chunk.byteLength > bytes.byteLength) {
          // The file grew since it was listed: make room.
          const grown = new Uint8Array(Math.max(offset + chunk.byteLength, bytes.byteLength * 2));
          grown.set(bytes.subarray(0, length));
          bytes = grown;
        }
        bytes.set(chunk, offset);
        length = Math.max(length, offset + chunk.byteLength);
      }
    } catch (error) {
      await call('streamCancel', stream.id).catch(() => undefined);
      throw error;
    }
    return length === bytes.byteLength ? bytes.buffer : bytes.slice(0, length).buffer;
  }

  const picked = (entry: DataEntry): DesktopPickedFile => ({
    name: entry.name,
    relativePath: entry.relativePath,
    size: entry.size,
    path: entry.path,
    read: () => readWhole(entry.path),
  });

  let listening = 0;

  return {
    kind: 'desktop',
    openProject: () => call('openProject'),
    openRecent: (ref) => call('openRecent', ref),
    saveProject: (text, suggestedName, ref) => call('saveProject', text, suggestedName, ref),
    saveBinary: (data, suggestedName, filters) => call('saveBinary', data, suggestedName, filters),
    pickDataFiles: async (options) => (await call('pickDataFiles', options)).map(picked),
    recentFiles: () => call('recentFiles'),
    addRecent: (ref) => call('addRecent', ref),
    reopenData: async (ref) => (await call('projectData', ref)).map(picked),
    appInfo: () => ({ ...info }),

    onCommand(callback) {
      const listener = (_event: unknown, payload: unknown) => {
        const command = payload as AppCommand | null;
        if (command && isCommandId(command.id)) callback(command);
      };
      ipc.on(COMMAND_CHANNEL, listener);
      // Commands that arrived before anyone listened (a file opened at launch) are held by main until now.
      if (listening++ === 0) ipc.send(COMMANDS_READY_CHANNEL);
      return () => {
        ipc.removeListener(COMMAND_CHANNEL, listener);
        listening = Math.max(0, listening - 1);
      };
    },

    async droppedFiles(files) {
      if (!Array.isArray(files))
        throw new DesktopError('invalid-request', 'Drop files or folders to add them.');
      // NOTE: getPathForFile answers only for File objects from a real drop or file input (else ''), so the
      // page cannot grant itself arbitrary paths through this method.
      const paths = files.map((file) => webUtils.getPathForFile(file)).filter((path) => path !== '');
      if (paths.length === 0) return [];
      return (await call('grantDropped', paths)).map(picked);
    },

    async streamData(path) {
      const stream = await call('streamOpen', path);
      return {
        ...stream,
        next: () => call('streamNext', stream.id),
        cancel: async () => {
          await call('streamCancel', stream.id);
        },
      };
    },
  };
}
