// The desktop app's security policy: the app:// file server (no way out of dist/renderer), the CSP, the
// permission and link allowlists, and the launch plumbing (project paths from argv, held-back commands).

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentType, resolveAppFile, serveAppRequest } from '../../electron/app-protocol.ts';
import { CommandQueue } from '../../electron/command-queue.ts';
import type { AppCommand } from '../../electron/ipc/contract.ts';
import { projectPathsFromArgv } from '../../electron/launch-files.ts';
import { APP_CSP, devCsp, isExternalUrlAllowed, isPermissionAllowed } from '../../electron/security.ts';
import { APP_SCHEME_PRIVILEGES } from '../../electron/session-policy.ts';

let root: string;
beforeAll(() => {
  const base = mkdtempSync(join(tmpdir(), 'neurocanvas-protocol-'));
  root = join(base, 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>NeuroCanvas</title>');
  writeFileSync(join(root, 'assets', 'index-abc.js'), 'console.log(1)');
  writeFileSync(join(base, 'secret.txt'), 'not for the page');
});
afterAll(() => rmSync(resolve(root, '..'), { recursive: true, force: true }));

describe('the app:// protocol', () => {
  it('maps our URLs to files in the renderer folder', () => {
    expect(resolveAppFile('app://neurocanvas/', root)).toBe(join(root, 'index.html'));
    expect(resolveAppFile('app://neurocanvas/assets/index-abc.js?v=1#x', root)).toBe(
      join(root, 'assets', 'index-abc.js'),
    );
  });

  it.each([
    'app://neurocanvas/../secret.txt',
    'app://neurocanvas/%2e%2e/secret.txt',
    'app://neurocanvas/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
    'app://neurocanvas/..%5c..%5csecret.txt',
    'app://neurocanvas/index.html%00.png',
    'app://neurocanvas/%E0%A4%A',
  ])('never serves a file outside the renderer folder for %s', async (url) => {
    const file = resolveAppFile(url, root);
    if (file !== null) expect(file.startsWith(join(root, '/'))).toBe(true);
    const response = await serveAppRequest(url, root);
    expect(await response.text()).not.toContain('not for the page');
  });

  it.each(['app://other/index.html', 'file:///etc/passwd', 'https://neurocanvas/index.html', 'nonsense'])(
    'refuses %s outright',
    (url) => {
      expect(resolveAppFile(url, root)).toBeNull();
    },
  );

  it('answers with the file, its type, the CSP and isolation headers', async () => {
    const response = await serveAppRequest('app://neurocanvas/assets/index-abc.js', root);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('console.log(1)');
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(APP_CSP);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    const missing = await serveAppRequest('app://neurocanvas/nope.js', root);
    expect(missing.status).toBe(404);
    expect((await serveAppRequest('app://neurocanvas/../secret.txt', root)).status).toBe(404);
  });

  it('knows the types the build produces', () => {
    expect(contentType('a.css')).toBe('text/css; charset=utf-8');
    expect(contentType('a.wasm')).toBe('application/wasm');
    expect(contentType('a.unknown')).toBe('application/octet-stream');
  });

  it('is registered standard and secure, so WebGPU gets a secure context', () => {
    expect(APP_SCHEME_PRIVILEGES).toMatchObject({
      scheme: 'app',
      privileges: { standard: true, secure: true },
    });
  });
});

describe('the Content-Security-Policy', () => {
  const directives = (csp: string) =>
    new Map(
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([name, ...values]) => [name!, values]),
    );

  it('allows scripts only from the app itself: no eval, no inline, no remote', () => {
    const csp = directives(APP_CSP);
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(csp.get('worker-src')).toEqual(["'self'", 'blob:']);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(APP_CSP).not.toMatch(/'unsafe-eval'|unsafe-inline|https?:|\*/);
  });

  it('loosens only what Vite hot reload needs, only in development', () => {
    const csp = directives(devCsp('http://localhost:5173'));
    expect(csp.get('script-src')).toEqual(["'self'", "'unsafe-inline'", "'wasm-unsafe-eval'"]);
    expect(csp.get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);
    expect(csp.get('connect-src')).toEqual(["'self'", 'ws://localhost:5173']);
  });
});

describe('permissions and links', () => {
  it('grants our page only clipboard writing and full screen', () => {
    expect(isPermissionAllowed('clipboard-sanitized-write', true)).toBe(true);
    expect(isPermissionAllowed('fullscreen', true)).toBe(true);
    for (const p of [
      'media',
      'geolocation',
      'notifications',
      'midi',
      'clipboard-read',
      'openExternal',
      'fileSystem',
    ])
      expect(isPermissionAllowed(p, true)).toBe(false);
    expect(isPermissionAllowed('fullscreen', false)).toBe(false);
  });

  it.each([
    ['https://pytorch.org/docs/stable/nn.html', true],
    ['https://docs.pytorch.org/docs/stable/generated/torch.nn.Conv2d.html', true],
    ['https://github.com/pytorch/pytorch', true],
    ['https://evil.example/', false],
    ['https://github.com.evil.example/', false],
    ['https://user:pw@github.com/', false],
    ['file:///etc/passwd', false],
    ['javascript:alert(1)', false],
    ['smb://github.com/share', false],
  ])('opens %s outside: %s', (url, allowed) => {
    expect(isExternalUrlAllowed(url)).toBe(allowed);
  });
});

describe('projectPathsFromArgv', () => {
  it('finds project files among switches, resolving relative ones', () => {
    const argv = [
      '/opt/NeuroCanvas/neurocanvas',
      '--enable-features=Vulkan',
      'lenet.ncproj',
      '/home/me/resnet.json',
      'notes.txt',
      '--user-data-dir=/x/y.json',
    ];
    expect(projectPathsFromArgv(argv, '/home/me/projects')).toEqual([
      resolve('/home/me/projects/lenet.ncproj'),
      resolve('/home/me/resnet.json'),
    ]);
  });

  it('skips the main script when run as `electron dist/electron/main.cjs`', () => {
    expect(projectPathsFromArgv(['/usr/bin/electron', 'dist/electron/main.cjs', 'a.NCPROJ'], '/w')).toEqual([
      resolve('/w/a.NCPROJ'),
    ]);
  });
});

describe('CommandQueue', () => {
  it('holds commands until the renderer listens, then sends them in order', () => {
    const delivered: AppCommand[] = [];
    const queue = new CommandQueue((c) => delivered.push(c));
    queue.send({ id: 'file.openRecent', ref: { id: '/a', name: 'a', path: '/a' } });
    queue.send({ id: 'view.fit' });
    expect(delivered).toEqual([]);
    queue.markReady();
    expect(delivered.map((c) => c.id)).toEqual(['file.openRecent', 'view.fit']);
    queue.send({ id: 'file.save' });
    queue.reset();
    queue.send({ id: 'file.new' });
    expect(delivered.map((c) => c.id)).toEqual(['file.openRecent', 'view.fit', 'file.save']);
    expect(queue.held).toBe(1);
  });
});
