// The desktop app end to end. First, in Chromium (always): the built renderer runs under the desktop app's
// Content-Security-Policy and headers without a single violation. Then, where the Electron binary is
// installed: launch the real app with Playwright, open a template, save it, and open it again.

import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron, type Browser, type ElectronApplication, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveAppRequest } from '../../electron/app-protocol.ts';
import { buildElectron } from '../../electron/build.mjs';
import { launch, ROOT, settled, testId } from './harness.ts';

const OUT = join(ROOT, 'test-results/e2e-electron');
const RENDERER = join(OUT, 'renderer');

/** Where the electron npm package says its binary is, and whether it is there. */
function electronBinary(): { path: string; present: boolean } {
  const folder = join(ROOT, 'node_modules/electron');
  const pathFile = join(folder, 'path.txt');
  const path = existsSync(pathFile)
    ? join(
        process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(folder, 'dist'),
        readFileSync(pathFile, 'utf8').trim(),
      )
    : join(folder, 'dist');
  return { path, present: existsSync(pathFile) && existsSync(path) };
}

const binary = electronBinary();
const hasElectronBinary = binary.present;

let built: Promise<void> | undefined;
/** Builds the renderer and the Electron bundles side by side, as in the packaged app. */
function buildOnce(): Promise<void> {
  built ??= (async () => {
    await build({
      configFile: join(ROOT, 'renderer/vite.config.ts'),
      logLevel: 'warn',
      build: { outDir: RENDERER, emptyOutDir: true },
    });
    await buildElectron({ outDir: join(OUT, 'electron') });
  })();
  return built;
}

/** Collects Content-Security-Policy violations and page errors. */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  return problems;
}

describe('the built renderer under the desktop policy (Chromium)', () => {
  let browser: Browser;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    await buildOnce();
    browser = await launch();
    // The app:// handler itself answers, so the page gets exactly the desktop CSP and isolation headers.
    server = createServer(async (request, response) => {
      const answer = await serveAppRequest(`app://neurocanvas${request.url ?? '/'}`, RENDERER);
      response.writeHead(answer.status, Object.fromEntries(answer.headers));
      response.end(Buffer.from(await answer.arrayBuffer()));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://localhost:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  it('draws the default project with no CSP violation, WebGPU present and the page cross-origin isolated', async () => {
    const page = await browser.newPage();
    const problems = watch(page);
    const response = await page.goto(url);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.locator('.react-flow__node-layer').first().waitFor({ state: 'visible', timeout: 30_000 });
    await settled(page);
    const facts = await page.evaluate(() => ({
      gpu: 'gpu' in navigator,
      isolated: crossOriginIsolated,
      bridge: typeof (window as { neurocanvas?: unknown }).neurocanvas,
    }));
    expect(facts).toEqual({ gpu: true, isolated: true, bridge: 'undefined' });
    expect(problems).toEqual([]);
    await page.close();
  });
});

const skipReason =
  `the Electron binary is not installed (${binary.path} is missing); ` +
  'run `node node_modules/electron/install.js` (needs access to github.com) to run these tests';

describe(
  hasElectronBinary ? 'the desktop app (Electron)' : `the desktop app (Electron), SKIPPED: ${skipReason}`,
  () => {
    if (!hasElectronBinary) console.warn(`SKIPPED the Electron e2e tests: ${skipReason}.`);

    let app: ElectronApplication;
    let page: Page;
    let problems: string[];
    const userData = mkdtempSync(join(tmpdir(), 'neurocanvas-electron-'));
    const projectFile = join(userData, 'saved-mlp.ncproj');

    beforeAll(async () => {
      if (!hasElectronBinary) return;
      await buildOnce();
      app = await _electron.launch({
        executablePath: binary.path,
        args: [join(OUT, 'electron/main.cjs'), ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])],
        env: { ...process.env, NEUROCANVAS_USER_DATA: userData, NEUROCANVAS_WEBGPU_ADAPTER: 'swiftshader' },
      });
      page = await app.firstWindow();
      problems = watch(page);
      await page.locator('.react-flow__node-layer').first().waitFor({ state: 'visible', timeout: 60_000 });
      await settled(page);
      // Native dialogs cannot be clicked by a test: answer them from the main process instead.
      await app.evaluate(({ dialog }, file) => {
        dialog.showSaveDialog = (async () => ({
          canceled: false,
          filePath: file,
        })) as typeof dialog.showSaveDialog;
        dialog.showOpenDialog = (async () => ({
          canceled: false,
          filePaths: [file],
        })) as typeof dialog.showOpenDialog;
      }, projectFile);
    }, 300_000);

    afterAll(async () => {
      await app?.close();
    });

    it.skipIf(!hasElectronBinary)(
      'loads from app:// with the bridge and without Node in the page',
      async () => {
        expect(page.url()).toBe('app://neurocanvas/index.html');
        const facts = await page.evaluate(() => ({
          kind: window.neurocanvas?.kind,
          require: typeof (window as { require?: unknown }).require,
          process: typeof (window as { process?: unknown }).process,
          gpu: 'gpu' in navigator,
        }));
        expect(facts).toEqual({ kind: 'desktop', require: 'undefined', process: 'undefined', gpu: true });
      },
    );

    it.skipIf(!hasElectronBinary)('opens a template, saves it, and opens the saved file again', async () => {
      await page.getByRole('button', { name: 'Templates' }).click();
      await page.locator(testId('template-mlp')).click();
      await settled(page);
      const nodes = await page.locator('.react-flow__node').count();
      const name = await page.locator(testId('project-name')).textContent();

      await page.keyboard.press('Control+s');
      await expect.poll(() => existsSync(projectFile), { timeout: 20_000 }).toBe(true);
      expect(JSON.parse(readFileSync(projectFile, 'utf8'))).toMatchObject({ name: expect.any(String) });

      await page.getByRole('button', { name: 'Templates' }).click();
      await page.locator(testId('template-lenet5')).click();
      await settled(page);
      expect(await page.locator(testId('project-name')).textContent()).not.toBe(name);

      await page.keyboard.press('Control+o');
      await expect
        .poll(() => page.locator(testId('project-name')).textContent(), { timeout: 20_000 })
        .toBe(name);
      await settled(page);
      expect(await page.locator('.react-flow__node').count()).toBe(nodes);
      expect(await page.evaluate(() => window.neurocanvas!.recentFiles())).toEqual([
        expect.objectContaining({ ref: expect.objectContaining({ path: projectFile }) }),
      ]);
      expect(problems).toEqual([]);
    });

    it.skipIf(!hasElectronBinary)('delivers a menu click to the page as a command', async () => {
      const received = page.evaluate(
        () =>
          new Promise((resolve) => {
            const bridge = window.neurocanvas as unknown as {
              onCommand(cb: (c: unknown) => void): () => void;
            };
            const stop = bridge.onCommand((command) => {
              stop();
              resolve(command);
            });
          }),
      );
      await app.evaluate(({ Menu }) => Menu.getApplicationMenu()?.getMenuItemById('view.fit')?.click());
      expect(await received).toEqual({ id: 'view.fit' });
    });
  },
);
