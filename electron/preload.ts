// The preload: exposes the desktop platform as `window.neurocanvas` and nothing else. The page never sees
// ipcRenderer; each bridge method sends exactly one message (see bridge.ts and ipc/channels.ts).

import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { createBridge } from './bridge.ts';
import { appInfoFromArgv } from './ipc/app-info.ts';

contextBridge.exposeInMainWorld(
  'neurocanvas',
  createBridge(ipcRenderer, webUtils, appInfoFromArgv(process.argv, process.platform)),
);
