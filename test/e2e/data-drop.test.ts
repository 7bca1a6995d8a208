// Dropping data on the app in Chromium: a generated folder of PNG files in class subfolders and a generated
// CIFAR-10 .tar.gz, dropped through a DataTransfer, are imported in the engine worker with the right counts.

import type { Server } from 'node:http';
import { encode as encodePng } from 'fast-png';
import { gzipSync } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, launch, newContext, openApp, serve, shot, testId } from './harness.ts';

let browser: Browser;
let server: Server;
let url: string;
let setupError: unknown;

beforeAll(async () => {
  try {
    browser = await launch();
    await buildApp();
    ({ url, server } = await serve());
  } catch (error) {
    setupError = error;
  }
});

afterAll(async () => {
  await browser?.close();
  server?.close();
});

function e2e(name: string, body: () => Promise<void>) {
  it(name, async () => {
    if (setupError) throw setupError;
    await body();
  });
}

/** A 16 x 16 RGB picture of a shape: circles, squares and triangles in a few colours. */
function picture(shape: string, n: number): Uint8Array {
  const data = new Uint8Array(16 * 16 * 3);
  for (let y = 0; y < 16; y++)
    for (let x = 0; x < 16; x++) {
      const dx = x - 7.5;
      const dy = y - 7.5;
      const inside =
        shape === 'circle'
          ? dx * dx + dy * dy < 30
          : shape === 'square'
            ? Math.abs(dx) < 5 && Math.abs(dy) < 5
            : y > 3 && Math.abs(dx) < (y - 3) / 1.5;
      const at = (y * 16 + x) * 3;
      data[at] = inside ? 200 + n * 10 : 20;
      data[at + 1] = inside ? 80 + n * 20 : 20;
      data[at + 2] = inside ? 40 : 30 + n;
    }
  return encodePng({ width: 16, height: 16, data, channels: 3, depth: 8 });
}

/** A ustar archive of the given files. */
function tar(files: Record<string, Uint8Array>): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const [name, data] of Object.entries(files)) {
    const header = new Uint8Array(512);
    const put = (text: string, at: number) => header.set(new TextEncoder().encode(text), at);
    put(name, 0);
    put('0000644\0', 100);
    put('0000000\0', 108);
    put('0000000\0', 116);
    put(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
    put('00000000000\0', 136);
    put('        ', 148);
    put('0', 156);
    put('ustar\0', 257);
    put('00', 263);
    put(
      `${header
        .reduce((a, b) => a + b, 0)
        .toString(8)
        .padStart(6, '0')}\0 `,
      148,
    );
    blocks.push(header, data, new Uint8Array((512 - (data.length % 512)) % 512));
  }
  blocks.push(new Uint8Array(1024));
  const out = new Uint8Array(blocks.reduce((a, b) => a + b.length, 0));
  let at = 0;
  for (const b of blocks) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

/** `count` CIFAR-10 records (label byte + 3 x 32 x 32), labels cycling from `first`. */
function cifarBatch(count: number, first: number): Uint8Array {
  const bytes = new Uint8Array(count * 3073);
  for (let i = 0; i < count; i++) {
    bytes[i * 3073] = (first + i) % 10;
    for (let p = 1; p < 3073; p++) bytes[i * 3073 + p] = (p * 7 + i * 13) % 256;
  }
  return bytes;
}

/** Drops files on the canvas as the OS would, each with the relative path a folder drop gives it. */
async function drop(page: Page, files: { path: string; bytes: Uint8Array }[]): Promise<void> {
  const payload = files.map((f) => ({ path: f.path, data: Buffer.from(f.bytes).toString('base64') }));
  await page.evaluate((items) => {
    const transfer = new DataTransfer();
    for (const item of items) {
      const bytes = Uint8Array.from(atob(item.data), (c) => c.charCodeAt(0));
      const file = new File([bytes], item.path.split('/').pop()!, { type: 'application/octet-stream' });
      // NOTE: a script cannot make a real folder drop; a file from one carries its path like this.
      Object.defineProperty(file, 'webkitRelativePath', { value: item.path });
      transfer.items.add(file);
    }
    const target = document.querySelector('.react-flow__pane') ?? document.body;
    for (const type of ['dragenter', 'dragover', 'drop'])
      target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
  }, payload);
}

const text = (page: Page, id: string) => page.locator(testId(id)).textContent();
const counts = (page: Page) => page.locator(`${testId('class-counts')} .bars__value`).allTextContents();

describe('data drops in Chromium', () => {
  e2e('imports a dropped folder of PNGs in class subfolders, explains the mismatch and fits it', async () => {
    const context = await newContext(browser);
    await context.addInitScript(() =>
      localStorage.setItem('neurocanvas.ui', JSON.stringify({ dockOpen: true, dockHeight: 420 })),
    );
    const page = await context.newPage();
    await openApp(page, url);
    await expect.poll(() => text(page, 'data-count'), { timeout: 60_000 }).toBe('10,000');
    const files = ['circle', 'square', 'triangle'].flatMap((shape, s) =>
      Array.from({ length: 4 + s }, (_, n) => ({
        path: `shapes/${shape}/${n}.png`,
        bytes: picture(shape, n),
      })),
    );
    await drop(page, files);
    await expect.poll(() => text(page, 'data-name'), { timeout: 30_000 }).toBe('shapes');
    expect(await text(page, 'data-count')).toBe('15');
    expect(await text(page, 'data-shape')).toBe('3 x 16 x 16');
    expect(await text(page, 'data-classes')).toBe('3');
    expect(await counts(page)).toEqual(['4', '5', '6']);
    expect(await page.locator(`${testId('class-counts')} .bars__name`).allTextContents()).toEqual([
      'circle',
      'square',
      'triangle',
    ]);
    await expect.poll(() => page.locator(`${testId('data-samples')} canvas`).count()).toBe(15);
    const mismatch = page.locator(testId('data-mismatch')).first();
    expect(await mismatch.textContent()).toContain('colour (3 channels) where the Input takes grey');
    await shot(page, 'drop-01-png-folder');

    await mismatch.getByRole('button', { name: 'Convert to grey and resize to 28 x 28' }).click();
    await expect.poll(() => text(page, 'data-shape')).toBe('1 x 28 x 28 (from 3 x 16 x 16)');
    await expect.poll(() => page.locator(testId('data-mismatch')).count()).toBe(0);
    await shot(page, 'drop-02-png-folder-fitted');
    await context.close();
  });

  e2e('imports a dropped CIFAR-10 .tar.gz with its batches and class names', async () => {
    const context = await newContext(browser);
    await context.addInitScript(() =>
      localStorage.setItem('neurocanvas.ui', JSON.stringify({ dockOpen: true, dockHeight: 420 })),
    );
    const page = await context.newPage();
    await openApp(page, url);
    await expect.poll(() => text(page, 'data-count'), { timeout: 60_000 }).toBe('10,000');
    const archive = gzipSync(
      tar({
        'cifar-10-batches-bin/batches.meta.txt': new TextEncoder().encode(
          'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n',
        ),
        'cifar-10-batches-bin/data_batch_1.bin': cifarBatch(30, 0),
        'cifar-10-batches-bin/test_batch.bin': cifarBatch(10, 5),
      }),
    );
    await drop(page, [{ path: 'cifar-10-binary.tar.gz', bytes: archive }]);
    await expect.poll(() => text(page, 'data-count'), { timeout: 30_000 }).toBe('40');
    expect(await text(page, 'data-name')).toBe('cifar-10-binary.tar.gz');
    expect(await text(page, 'data-shape')).toBe('3 x 32 x 32');
    expect(await text(page, 'data-classes')).toBe('10');
    expect(await counts(page)).toEqual(Array(10).fill('4'));
    expect(
      await page
        .locator(`${testId('class-counts')} .bars__name`)
        .first()
        .textContent(),
    ).toBe('airplane');
    await expect.poll(() => page.locator(`${testId('data-samples')} canvas`).count()).toBe(30);
    await shot(page, 'drop-03-cifar-archive');
    await context.close();
  });
});
