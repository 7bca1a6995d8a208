// Every request handler, by channel name, as plain functions over their dependencies; plus the guard that
// checks the sender and turns any throw into `{ ok: false, error }`. main.ts only loops over this map.

import { saveBinary } from './binary-files.ts';
import type { InvokeContract, InvokeName } from './channels.ts';
import { grantDroppedPaths, pickDataFiles, projectDataFiles } from './data-files.ts';
import type { DataStreams } from './data-stream.ts';
import type { Dialogs } from './dialogs.ts';
import { explain, failure, type IpcResult } from './errors.ts';
import type { GrantedPaths } from './grants.ts';
import { openProject, openRecentProject, saveProject } from './project-files.ts';
import type { RecentFiles } from './recent-files.ts';
import { isTrustedSender, type SenderEvent, type SenderPolicy } from './sender.ts';
import { checkRef } from './validate.ts';

export interface HandlerDeps {
  grants: GrantedPaths;
  recent: RecentFiles;
  dialogs: Dialogs;
  streams: DataStreams;
  /** Told after the recent list changed (main rebuilds the Open Recent menu). */
  onRecentChanged?: () => void;
}

/** The calling window, for handlers that keep per-window state (data streams). */
export interface CallContext {
  windowId: number;
}

/** Arguments arrive untyped: each handler checks its own. */
export type Handler<K extends InvokeName> = (
  context: CallContext,
  ...args: unknown[]
) => Promise<InvokeContract[K]['result']>;

export type HandlerMap = { [K in InvokeName]: Handler<K> };

export function createHandlers(deps: HandlerDeps): HandlerMap {
  return {
    openProject: () => openProject(deps),
    openRecent: (_, ref) => openRecentProject(deps, ref),
    saveProject: (_, text, name, ref) => saveProject(deps, text, name, ref),
    saveBinary: (_, data, name, filters) => saveBinary(deps, data, name, filters),
    pickDataFiles: (_, options) => pickDataFiles(deps, options),
    grantDropped: (_, paths) => grantDroppedPaths(deps, paths),
    projectData: (_, ref) => projectDataFiles(deps, ref),
    streamOpen: (context, path) => deps.streams.open(path, context.windowId),
    streamNext: (context, id) => deps.streams.next(id, context.windowId),
    streamCancel: (context, id) => deps.streams.cancel(id, context.windowId),
    recentFiles: () => deps.recent.list(),
    addRecent: async (_, refInput) => {
      const ref = checkRef(refInput);
      // NOTE: the recent list is part of the allowlist, so only an already granted file may join it.
      if (!deps.grants.allows(ref.path)) throw explain.notGranted(ref.path);
      await deps.recent.add(ref);
      deps.onRecentChanged?.();
    },
  };
}

export interface GuardedEvent extends SenderEvent {
  sender: { id: number };
}

/** Wraps a handler for `ipcMain.handle`: sender check first, then the handler, every error as data. */
export function guard<K extends InvokeName>(
  handler: Handler<K>,
  policy: () => SenderPolicy,
): (event: GuardedEvent, ...args: unknown[]) => Promise<IpcResult<InvokeContract[K]['result']>> {
  return async (event, ...args) => {
    if (!isTrustedSender(event, policy())) return failure(explain.untrustedSender());
    try {
      return { ok: true, value: await handler({ windowId: event.sender.id }, ...args) };
    } catch (error) {
      return failure(error);
    }
  };
}
