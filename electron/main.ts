// The Electron main process: one locked-down window on the built renderer (app://) or the dev server, the IPC
// handlers, the native menu, single-instance and OS file opening. Bundled to dist/electron/main.cjs.

import { join } from 'node:path';
import { app, type BrowserWindow, ipcMain, Menu, protocol, session } from 'electron';
import { CommandQueue } from './command-queue.ts';
import { APP_NAME, createAppInfo } from './ipc/app-info.ts';
import { COMMAND_CHANNEL, COMMANDS_READY_CHANNEL, INVOKE_CHANNELS, type InvokeName } from './ipc/channels.ts';
import { DataStreams } from './ipc/data-stream.ts';
import { GrantedPaths } from './ipc/grants.ts';
import { createHandlers, guard } from './ipc/handlers.ts';
import { acceptProjectFromOs } from './ipc/project-files.ts';
import { RecentFiles } from './ipc/recent-files.ts';
import { APP_ENTRY, isTrustedSender, type SenderPolicy } from './ipc/sender.ts';
import { projectPathsFromArgv } from './launch-files.ts';
import { menuTemplate } from './menu.ts';
import { createNativeDialogs } from './native-dialogs.ts';
import { APP_SCHEME_PRIVILEGES, applySessionPolicy } from './session-policy.ts';
import { TEMPLATES } from './templates.ts';
import { createMainWindow, preloadPath } from './window.ts';

declare const __NEUROCANVAS_VERSION__: string;

const devUrl = process.env.NEUROCANVAS_DEV_URL || null;
const isDev = devUrl !== null || !app.isPackaged;
const policy: SenderPolicy = { devOrigin: devUrl ? new URL(devUrl).origin : null };
const rendererRoot = join(__dirname, '../renderer');

app.setName(APP_NAME);
// NOTE: tests (and portable setups) keep settings and the recent list out of the user's own profile.
if (process.env.NEUROCANVAS_USER_DATA) app.setPath('userData', process.env.NEUROCANVAS_USER_DATA);
// WebGPU: on by default on Windows and macOS; on Linux it still needs these switches (Electron issue #41763).
if (process.platform === 'linux') {
  app.commandLine.appendSwitch('enable-unsafe-webgpu');
  app.commandLine.appendSwitch('enable-features', 'Vulkan');
}
// NOTE: for machines without a GPU (CI): NEUROCANVAS_WEBGPU_ADAPTER=swiftshader picks the CPU Vulkan driver.
if (process.env.NEUROCANVAS_WEBGPU_ADAPTER)
  app.commandLine.appendSwitch('use-webgpu-adapter', process.env.NEUROCANVAS_WEBGPU_ADAPTER);
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

let mainWindow: BrowserWindow | null = null;
const grants = new GrantedPaths();
const recent = new RecentFiles(join(app.getPath('userData'), 'recent-files.json'));
const streams = new DataStreams({ grants });
const commands = new CommandQueue((command) => mainWindow?.webContents.send(COMMAND_CHANNEL, command));
/** Files the OS asked us to open before the app was ready (macOS open-file at launch, argv). */
const launchFiles: string[] = projectPathsFromArgv(process.argv, process.cwd());

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('open-file', (event, path) => {
    event.preventDefault();
    if (app.isReady()) void openFromOs([path]);
    else launchFiles.push(path);
  });
  app.on('second-instance', (_event, argv, cwd) => {
    void openFromOs(projectPathsFromArgv(argv, cwd));
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    }
  });
  app.on('web-contents-created', (_event, contents) => {
    // Belt and braces for any web contents (devtools included): no new windows, no webviews.
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.whenReady().then(start, (error: unknown) => {
    console.error('NeuroCanvas could not start:', error);
    app.exit(1);
  });
}

async function start(): Promise<void> {
  applySessionPolicy(session.defaultSession, rendererRoot, policy);
  registerIpc();
  await rebuildMenu();
  await openWindow();
  await openFromOs(launchFiles.splice(0));
  app.on('activate', () => {
    if (!mainWindow) void openWindow();
  });
}

function registerIpc(): void {
  const handlers = createHandlers({
    grants,
    recent,
    dialogs: createNativeDialogs(
      () => mainWindow,
      () => app.getPath('documents'),
    ),
    streams,
    onRecentChanged: () => void rebuildMenu(),
  });
  for (const name of Object.keys(INVOKE_CHANNELS) as InvokeName[])
    ipcMain.handle(
      INVOKE_CHANNELS[name],
      guard(handlers[name], () => policy),
    );
  ipcMain.on(COMMANDS_READY_CHANNEL, (event) => {
    if (isTrustedSender(event, policy) && event.sender === mainWindow?.webContents) commands.markReady();
  });
}

async function openWindow(): Promise<void> {
  const info = createAppInfo(__NEUROCANVAS_VERSION__, process.platform);
  const window = await createMainWindow({
    url: devUrl ?? APP_ENTRY,
    preload: preloadPath(__dirname),
    stateFile: join(app.getPath('userData'), 'window-state.json'),
    info,
    policy,
    isDev,
  });
  mainWindow = window;
  const contentsId = window.webContents.id;
  window.webContents.on('did-start-navigation', (details) => {
    if (details.isMainFrame && !details.isSameDocument) {
      commands.reset();
      void streams.cancelAll(contentsId);
    }
  });
  window.on('closed', () => {
    commands.reset();
    void streams.cancelAll(contentsId);
    mainWindow = null;
  });
}

/** Grants each project file the OS handed us and asks the renderer to open it. */
async function openFromOs(paths: string[]): Promise<void> {
  if (paths.length && !mainWindow && app.isReady()) await openWindow();
  for (const path of paths) {
    const ref = await acceptProjectFromOs(grants, path);
    if (!ref) continue;
    app.addRecentDocument(ref.path);
    commands.send({ id: 'file.openRecent', ref });
  }
}

async function rebuildMenu(): Promise<void> {
  const list = await recent.list().catch(() => []);
  const template = menuTemplate(
    { platform: process.platform, appName: APP_NAME, isDev, recent: list, templates: TEMPLATES },
    {
      command: (command) => commands.send(command),
      native: (action) => mainWindow?.webContents[action](),
      clearRecent: () => {
        app.clearRecentDocuments();
        void recent.clear().then(rebuildMenu);
      },
    },
  );
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
