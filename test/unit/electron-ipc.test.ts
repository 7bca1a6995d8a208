// The IPC boundary of the desktop app: one channel list, a handler for each channel, the sender check before
// anything else, and every failure returned as `{ ok: false, error: { code, message } }`.

import { describe, expect, it } from 'vitest';
import { INVOKE_CHANNELS, type InvokeName } from '../../electron/ipc/channels.ts';
import { DataStreams } from '../../electron/ipc/data-stream.ts';
import { ERROR_CODES, UserError } from '../../electron/ipc/errors.ts';
import { GrantedPaths } from '../../electron/ipc/grants.ts';
import { createHandlers, type GuardedEvent, guard } from '../../electron/ipc/handlers.ts';
import { RecentFiles } from '../../electron/ipc/recent-files.ts';
import { APP_ENTRY, isAppUrl, isTrustedSender } from '../../electron/ipc/sender.ts';

const event = (url: string, parent: unknown = null, id = 1): GuardedEvent => ({
  senderFrame: { url, parent },
  sender: { id },
});

describe('the channel list', () => {
  it('names every channel once, under one prefix', () => {
    const names = Object.values(INVOKE_CHANNELS);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^neurocanvas:[a-z-]+$/);
  });

  it('has a handler for every channel and no handler without one', () => {
    const grants = new GrantedPaths();
    const handlers = createHandlers({
      grants,
      recent: new RecentFiles('/nonexistent/recent.json'),
      streams: new DataStreams({ grants }),
      dialogs: { chooseOpen: async () => [], chooseSave: async () => null },
    });
    expect(Object.keys(handlers).sort()).toEqual(Object.keys(INVOKE_CHANNELS).sort());
  });
});

describe('isTrustedSender', () => {
  it.each([
    ['our page', APP_ENTRY, null, true],
    ['our page, deeper path', 'app://neurocanvas/assets/x.js', null, true],
    ['an iframe inside our page', APP_ENTRY, { url: APP_ENTRY }, false],
    ['another app:// host', 'app://evil/index.html', null, false],
    ['a web page', 'https://example.com/', null, false],
    ['a local file', 'file:///home/user/index.html', null, false],
    ['the dev server when not in development', 'http://localhost:5173/', null, false],
    ['a malformed URL', 'not a url', null, false],
  ])('%s -> %s', (_what, url, parent, trusted) => {
    expect(isTrustedSender(event(url, parent))).toBe(trusted);
  });

  it('trusts the dev server origin only in development, and only that origin', () => {
    const policy = { devOrigin: 'http://localhost:5173' };
    expect(isTrustedSender(event('http://localhost:5173/src/main.tsx'), policy)).toBe(true);
    expect(isTrustedSender(event('http://localhost:5174/'), policy)).toBe(false);
    expect(isTrustedSender(event('http://127.0.0.1:5173/'), policy)).toBe(false);
  });

  it('refuses an event without a frame (the frame navigated away or was destroyed)', () => {
    expect(isTrustedSender({ senderFrame: null })).toBe(false);
    expect(isAppUrl('app://neurocanvas')).toBe(true);
  });
});

describe('guard', () => {
  const policy = () => ({});

  it('runs the handler for our page and wraps its answer', async () => {
    const seen: unknown[] = [];
    const wrapped = guard<'streamCancel'>(async (context, ...args) => {
      seen.push(context, ...args);
      return true;
    }, policy);
    expect(await wrapped(event(APP_ENTRY, null, 42), 'abc')).toEqual({ ok: true, value: true });
    expect(seen).toEqual([{ windowId: 42 }, 'abc']);
  });

  it('refuses a foreign sender before the handler runs', async () => {
    let ran = false;
    const wrapped = guard<'recentFiles'>(async () => {
      ran = true;
      return [];
    }, policy);
    expect(await wrapped(event('https://example.com/'))).toEqual({
      ok: false,
      error: {
        code: 'untrusted-sender',
        message: 'This request did not come from the NeuroCanvas window, so it was refused.',
      },
    });
    expect(ran).toBe(false);
  });

  it('returns user errors as they are and never leaks a stack trace', async () => {
    const user = guard<InvokeName>(async () => {
      throw new UserError('not-found', 'a.json was not found.');
    }, policy);
    expect(await user(event(APP_ENTRY))).toEqual({
      ok: false,
      error: { code: 'not-found', message: 'a.json was not found.' },
    });
    const bug = guard<InvokeName>(async () => {
      throw new TypeError('x is undefined');
    }, policy);
    const answer = await bug(event(APP_ENTRY));
    expect(answer).toEqual({
      ok: false,
      error: { code: 'io-failed', message: 'Something went wrong in NeuroCanvas: x is undefined' },
    });
    expect(JSON.stringify(answer)).not.toContain('at ');
  });

  it('uses only catalogued error codes', () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
  });
});
