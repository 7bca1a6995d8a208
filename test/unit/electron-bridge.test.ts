// The preload bridge: its type is exactly the renderer's Platform (plus the desktop extras), proven at the type
// level against renderer/src/platform/types.ts; and it works end to end against the real handlers through a
// stand-in ipcRenderer that copies every message as IPC does.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import { createBridge, DesktopError, type IpcRendererLike } from '../../electron/bridge.ts';
import { appInfoArgument, appInfoFromArgv, createAppInfo } from '../../electron/ipc/app-info.ts';
import { COMMAND_CHANNEL, COMMANDS_READY_CHANNEL, INVOKE_CHANNELS } from '../../electron/ipc/channels.ts';
import type * as Desktop from '../../electron/ipc/contract.ts';
import { DataStreams } from '../../electron/ipc/data-stream.ts';
import { GrantedPaths } from '../../electron/ipc/grants.ts';
import { createHandlers, guard } from '../../electron/ipc/handlers.ts';
import { RecentFiles } from '../../electron/ipc/recent-files.ts';
import { APP_ENTRY } from '../../electron/ipc/sender.ts';
import type * as Renderer from '../../renderer/src/platform/types.ts';

describe('the bridge type', () => {
  it('is exactly the renderer Platform, field by field', () => {
    expectTypeOf<Desktop.DesktopPlatform>().toEqualTypeOf<Renderer.Platform>();
    expectTypeOf<Desktop.FileRef>().toEqualTypeOf<Renderer.FileRef>();
    expectTypeOf<Desktop.OpenedFile>().toEqualTypeOf<Renderer.OpenedFile>();
    expectTypeOf<Desktop.PickedFile>().toEqualTypeOf<Renderer.PickedFile>();
    expectTypeOf<Desktop.FileFilter>().toEqualTypeOf<Renderer.FileFilter>();
    expectTypeOf<Desktop.RecentFile>().toEqualTypeOf<Renderer.RecentFile>();
    expectTypeOf<Desktop.AppInfo>().toEqualTypeOf<Renderer.AppInfo>();
  });

  it('is what createBridge returns, fits window.neurocanvas, and adds only the desktop extras', () => {
    expectTypeOf<ReturnType<typeof createBridge>>().toEqualTypeOf<Desktop.NeuroCanvasBridge>();
    expectTypeOf<Desktop.NeuroCanvasBridge>().toExtend<NonNullable<Window['neurocanvas']>>();
    expectTypeOf<Exclude<keyof Desktop.NeuroCanvasBridge, keyof Renderer.Platform>>().toEqualTypeOf<
      'onCommand' | 'droppedFiles' | 'streamData'
    >();
  });
});

let folder: string;
let answers: { open: string[]; save: string | null };
let sent: { channel: string; args: unknown[] }[];
let listeners: Map<string, ((event: unknown, ...args: unknown[]) => void)[]>;

/** An ipcRenderer stand-in: routes invoke to the guarded real handlers, structured-cloning both ways. */
function fakeIpc(senderUrl = APP_ENTRY): IpcRendererLike {
  const grants = new GrantedPaths(false);
  const handlers = createHandlers({
    grants,
    recent: new RecentFiles(join(folder, 'recent.json')),
    streams: new DataStreams({ grants, chunkBytes: 1000 }),
    dialogs: { chooseOpen: async () => answers.open, chooseSave: async () => answers.save },
  });
  const byChannel = new Map<string, ReturnType<typeof guard>>(
    Object.entries(INVOKE_CHANNELS).map(([name, channel]) => [
      channel,
      guard(handlers[name as keyof typeof handlers], () => ({})),
    ]),
  );
  return {
    async invoke(channel, ...args) {
      const handler = byChannel.get(channel);
      if (!handler) throw new Error(`no handler for ${channel}`);
      const event = { senderFrame: { url: senderUrl, parent: null }, sender: { id: 1 } };
      return structuredClone(await handler(event, ...structuredClone(args)));
    },
    on(channel, listener) {
      listeners.set(channel, [...(listeners.get(channel) ?? []), listener]);
    },
    removeListener(channel, listener) {
      listeners.set(
        channel,
        (listeners.get(channel) ?? []).filter((l) => l !== listener),
      );
    },
    send(channel, ...args) {
      sent.push({ channel, args });
    },
  };
}

const paths = new Map<object, string>();
const webUtils = { getPathForFile: (file: File) => paths.get(file) ?? '' };
const info = createAppInfo('1.2.3', 'linux');

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'neurocanvas-bridge-'));
  answers = { open: [], save: null };
  sent = [];
  listeners = new Map();
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

describe('createBridge', () => {
  it('exposes the Platform methods and the desktop extras, and nothing else', () => {
    const bridge = createBridge(fakeIpc(), webUtils, info);
    expect(Object.keys(bridge).sort()).toEqual(
      [
        'kind',
        'openProject',
        'openRecent',
        'saveProject',
        'saveBinary',
        'pickDataFiles',
        'recentFiles',
        'addRecent',
        'reopenData',
        'appInfo',
        'onCommand',
        'droppedFiles',
        'streamData',
      ].sort(),
    );
    expect(bridge.kind).toBe('desktop');
    expect(bridge.appInfo()).toEqual({ name: 'NeuroCanvas', version: '1.2.3', platform: 'linux' });
  });

  it('saves, lists as recent, and reopens a project', async () => {
    const bridge = createBridge(fakeIpc(), webUtils, info);
    answers.save = join(folder, 'lenet.ncproj');
    const ref = await bridge.saveProject('{"name":"LeNet-5"}', 'lenet-5.json', null);
    expect(ref).toEqual({ id: answers.save, name: 'lenet.ncproj', path: answers.save });
    await bridge.addRecent(ref!);
    expect((await bridge.recentFiles()).map((r) => r.ref.path)).toEqual([answers.save]);
    expect(await bridge.saveProject('{"name":"LeNet-5 v2"}', 'lenet-5.json', ref)).toEqual(ref);
    expect(await bridge.openRecent(ref!)).toEqual({ ref, text: '{"name":"LeNet-5 v2"}' });
    answers.open = [answers.save];
    expect((await bridge.openProject())!.text).toBe('{"name":"LeNet-5 v2"}');
  });

  it('throws the main process error with its code and the user-facing message', async () => {
    const bridge = createBridge(fakeIpc(), webUtils, info);
    const ref = { id: '/etc/passwd', name: 'passwd', path: '/etc/passwd' };
    const error = await bridge.openRecent(ref).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DesktopError);
    expect(error).toMatchObject({
      code: 'path-not-granted',
      message: expect.stringContaining('Open or drop passwd'),
    });
  });

  it('refuses everything when the page is not ours', async () => {
    const bridge = createBridge(fakeIpc('https://example.com/'), webUtils, info);
    await expect(bridge.recentFiles()).rejects.toMatchObject({ code: 'untrusted-sender' });
  });

  it('saves binary files', async () => {
    const bridge = createBridge(fakeIpc(), webUtils, info);
    answers.save = join(folder, 'lenet.safetensors');
    expect(await bridge.saveBinary(new Uint8Array([9, 8, 7]), 'lenet.safetensors', [])).toBe(true);
    expect([...readFileSync(answers.save)]).toEqual([9, 8, 7]);
  });

  it('reads picked data files through the chunked stream', async () => {
    const bridge = createBridge(fakeIpc(), webUtils, info);
    mkdirSync(join(folder, 'digits', 'a'), { recursive: true });
    const content = Uint8Array.from({ length: 4321 }, (_, i) => i % 251);
    writeFileSync(join(folder, 'digits', 'a', 'x.idx'), content);
    answers.open = [join(folder, 'digits')];
    const [file, ...rest] = await bridge.pickDataFiles({ directory: true });
    expect(rest).toHaveLength(0);
    expect(file).toMatchObject({ name: 'x.idx', relativePath: 'a/x.idx', size: 4321 });
    expect(new Uint8Array(await file!.read())).toEqual(content);
  });

  it('grants dropped files by their OS path and streams them with progress', async () => {
    const bridge = createBridge(fakeIpc(), webUtils, info);
    const dropped = new File([], 'images');
    const made = new File([], 'made-up.png');
    mkdirSync(join(folder, 'images'));
    writeFileSync(join(folder, 'images', 'one.png'), new Uint8Array(2500));
    paths.set(dropped, join(folder, 'images'));
    const files = await bridge.droppedFiles([dropped, made]);
    expect(files.map((f) => [f.relativePath, f.size])).toEqual([['one.png', 2500]]);
    const stream = await bridge.streamData(join(folder, 'images'));
    expect(stream).toMatchObject({ filesTotal: 1, bytesTotal: 2500 });
    const first = await stream.next();
    expect(first).toMatchObject({ done: false, progress: { bytesDone: 1000, bytesTotal: 2500 } });
    await stream.cancel();
    await expect(stream.next()).rejects.toMatchObject({ code: 'stream-unknown' });
    expect(await bridge.droppedFiles([made])).toEqual([]);
  });

  it('delivers menu commands to subscribers, tells main once that it listens, and unsubscribes', () => {
    const bridge = createBridge(fakeIpc(), webUtils, info);
    const got: Desktop.AppCommand[] = [];
    const stop = bridge.onCommand((command) => got.push(command));
    bridge.onCommand(() => undefined);
    expect(sent).toEqual([{ channel: COMMANDS_READY_CHANNEL, args: [] }]);
    const emit = (payload: unknown) => {
      for (const listener of listeners.get(COMMAND_CHANNEL) ?? []) listener({}, payload);
    };
    emit({ id: 'file.save' });
    emit({ id: 'templates.open', template: 'lenet5' });
    emit({ id: 'rm -rf' });
    emit(null);
    stop();
    emit({ id: 'file.open' });
    expect(got).toEqual([{ id: 'file.save' }, { id: 'templates.open', template: 'lenet5' }]);
  });
});

describe('app info for the preload', () => {
  it('round-trips through the renderer process argument, with a fallback', () => {
    const argv = ['/electron', '--type=renderer', appInfoArgument(createAppInfo('0.1.0', 'win32'))];
    expect(appInfoFromArgv(argv, 'linux')).toEqual({
      name: 'NeuroCanvas',
      version: '0.1.0',
      platform: 'win32',
    });
    expect(appInfoFromArgv(['/electron'], 'darwin')).toEqual({
      name: 'NeuroCanvas',
      version: 'unknown',
      platform: 'darwin',
    });
  });
});
