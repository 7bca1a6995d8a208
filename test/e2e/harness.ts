// End-to-end harness: builds the renderer once, serves it on a free localhost port, drives Debian's Chromium.

import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { APP_CSP, ISOLATION_HEADERS } from '../../electron/security.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
export const RESULTS = join(ROOT, 'test-results/e2e');
const DIST = join(RESULTS, 'dist');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
};

/** Builds the app into test-results/e2e/dist (not dist/, so a developer's build is left alone). */
export async function buildApp(): Promise<void> {
  // NOTE: Vitest sets NODE_ENV=test, which would give a development build of React.
  const mode = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      configFile: join(ROOT, 'renderer/vite.config.ts'),
      logLevel: 'warn',
      build: { outDir: DIST, emptyOutDir: true },
    });
  } finally {
    process.env.NODE_ENV = mode;
  }
}

/** A tiny static server for the built app on a free port; resolves to its base URL. */
export function serve(): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    let file = normalize(join(DIST, path));
    if (!file.startsWith(DIST)) {
      response.writeHead(403).end();
      return;
    }
    try {
      if (statSync(file).isDirectory()) file = join(file, 'index.html');
      const body = readFileSync(file);
      response
        // The desktop app's policy and isolation on every answer, as electron/app-protocol.ts gives them: what
        // they block fails here, and the CPU backend's helper threads run as in the app.
        .writeHead(200, {
          'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
          'content-security-policy': APP_CSP,
          ...ISOLATION_HEADERS,
        })
        .end(body);
    } catch {
      response.writeHead(404, { ...ISOLATION_HEADERS }).end('not found');
    }
  });
  return new Promise((done) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      done({ url: `http://localhost:${port}/`, server });
    });
  });
}

/** Launches headless Chromium with WebGPU on SwiftShader. Throws (so the tests fail) when it is missing. */
export async function launch(): Promise<Browser> {
  try {
    statSync(CHROMIUM);
  } catch {
    throw new Error(
      `Chromium was not found at ${CHROMIUM}. Install Debian's chromium package (CI does) or set CHROMIUM_PATH.`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--enable-unsafe-webgpu',
      '--use-webgpu-adapter=swiftshader',
      '--no-sandbox',
      '--disable-gpu-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export async function newContext(
  browser: Browser,
  options: { light?: boolean } = {},
): Promise<BrowserContext> {
  return browser.newContext({
    viewport: { width: 1440, height: 900 },
    colorScheme: options.light ? 'light' : 'dark',
    acceptDownloads: true,
  });
}

/** Opens the app and waits until the canvas has drawn the project's nodes. */
export async function openApp(page: Page, url: string): Promise<void> {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  await page.locator('.react-flow__node-layer').first().waitFor({ state: 'visible', timeout: 30_000 });
  await settled(page);
  if (errors.length) throw new Error(`The page threw: ${errors.join('; ')}`);
}

/** Waits until no auto-layout is running (a just-opened template is arranged, then shown). */
export async function settled(page: Page): Promise<void> {
  await page.locator('.canvas[data-arranging="no"]').waitFor({ timeout: 60_000 });
}

/** Saves a screenshot as test-results/e2e/<name>.png. */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(RESULTS, { recursive: true });
  // Let edges and the minimap settle after a change.
  await page.waitForTimeout(350);
  await page.screenshot({ path: join(RESULTS, `${name}.png`) });
}

/** Drags with the mouse from the centre of one element to the centre of another, in small steps. */
export async function dragBetween(page: Page, from: string, to: string): Promise<void> {
  const a = await page.locator(from).boundingBox();
  const b = await page.locator(to).boundingBox();
  if (!a || !b) throw new Error(`cannot drag from ${from} to ${to}: one is not on screen`);
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 8 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 8 });
  await page.mouse.up();
}

/** `[data-testid="..."]`, quoted for ids with dots and slashes. */
export function testId(id: string): string {
  return `[data-testid="${id.replace(/"/g, '\\"')}"]`;
}
