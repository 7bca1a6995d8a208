// The main window: locked-down web preferences, remembered size and position, and no navigation away from
// the app (links to a few documentation sites open in the OS browser instead).

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BrowserWindow, screen, shell } from 'electron';
import { appInfoArgument } from './ipc/app-info.ts';
import type { AppInfo } from './ipc/contract.ts';
import { isAppUrl, type SenderPolicy } from './ipc/sender.ts';
import { isExternalUrlAllowed } from './security.ts';
import {
  chooseWindowState,
  MIN_SIZE,
  readWindowState,
  type WindowState,
  writeWindowState,
} from './window-state.ts';

export interface MainWindowOptions {
  /** The page to load: app://neurocanvas/index.html, or the dev server URL. */
  url: string;
  preload: string;
  stateFile: string;
  info: AppInfo;
  policy: SenderPolicy;
  isDev: boolean;
}

/** Opens allowed documentation links in the OS browser; everything else goes nowhere. */
function openOutside(url: string): void {
  if (isExternalUrlAllowed(url)) void shell.openExternal(url);
}

export async function createMainWindow(options: MainWindowOptions): Promise<BrowserWindow> {
  const workAreas = screen.getAllDisplays().map((d) => d.workArea);
  const primary = screen.getPrimaryDisplay().workArea;
  const state = chooseWindowState(await readWindowState(options.stateFile), [primary, ...workAreas]);

  const window = new BrowserWindow({
    ...state.bounds,
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    show: false,
    title: options.info.name,
    backgroundColor: '#16181d',
    webPreferences: {
      preload: options.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: options.isDev,
      additionalArguments: [appInfoArgument(options.info)],
    },
  });

  window.once('ready-to-show', () => {
    if (state.maximized) window.maximize();
    if (state.fullScreen) window.setFullScreen(true);
    window.show();
  });

  const contents = window.webContents;
  contents.setWindowOpenHandler(({ url }) => {
    openOutside(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event, url) => {
    if (isAppUrl(url, options.policy)) return;
    event.preventDefault();
    openOutside(url);
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url, options.policy)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());

  // A page that fails to load (a dev server that is not running) still shows the window, so it can be closed.
  contents.once('did-fail-load', (_event, _code, description, url) => {
    console.error(`NeuroCanvas could not load ${url}: ${description}`);
    if (!window.isDestroyed() && !window.isVisible()) window.show();
  });

  rememberState(window, options.stateFile);
  void window.loadURL(options.url).catch(() => undefined);
  return window;
}

function currentState(window: BrowserWindow): WindowState {
  return {
    bounds: window.getNormalBounds(),
    maximized: window.isMaximized(),
    fullScreen: window.isFullScreen(),
  };
}

/** Saves the state a moment after each move or resize, and once more (synchronously) when the window closes. */
function rememberState(window: BrowserWindow, file: string): void {
  let timer: NodeJS.Timeout | undefined;
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (!window.isDestroyed()) void writeWindowState(file, currentState(window)).catch(() => undefined);
    }, 750);
  };
  for (const event of [
    'resize',
    'move',
    'maximize',
    'unmaximize',
    'enter-full-screen',
    'leave-full-screen',
  ] as const)
    window.on(event as 'resize', later);
  window.on('close', () => {
    clearTimeout(timer);
    try {
      writeFileSync(file, `${JSON.stringify(currentState(window))}\n`);
    } catch {
      // Not worth stopping the close for: the window just opens at the default size next time.
    }
  });
}

export const preloadPath = (folder: string) => join(folder, 'preload.cjs');
