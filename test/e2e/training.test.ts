// Training in the app, in Chromium on SwiftShader's WebGPU: LeNet-5 from the templates, one epoch on the built-in
// digits at the template's own settings (Adam, batch 32), the loss chart falling, holdout accuracy above 90%,
// conv1's feature maps live and after training, the .pt downloaded and checked in real PyTorch against the
// accuracy the app showed. Screenshots of each step go to test-results/e2e/.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { torchAccuracy, writeMnistHoldout } from '../oracle/app-export-check.ts';
import {
  buildApp,
  CHROMIUM,
  launch,
  newContext,
  openApp,
  RESULTS,
  serve,
  settled,
  shot,
  testId,
} from './harness.ts';

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

const MINUTE = 60_000;
const text = (page: Page, id: string) => page.locator(testId(id)).textContent();
const status = (page: Page) => page.locator(testId('train-progress')).getAttribute('data-status');
/** Shows a dock tab (clicking the tab already shown would fold the dock away). */
async function tab(page: Page, id: string): Promise<void> {
  const button = page.locator(testId(`dock-tab-${id}`));
  if ((await button.getAttribute('aria-selected')) !== 'true') await button.click();
}

/** Drops one file on the canvas as the OS would. */
async function dropFile(page: Page, name: string, bytes: Uint8Array): Promise<void> {
  await page.evaluate(
    ({ name, data }) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([Uint8Array.from(atob(data), (c) => c.charCodeAt(0))], name));
      const target = document.querySelector('.react-flow__pane') ?? document.body;
      for (const type of ['dragenter', 'dragover', 'drop'])
        target.dispatchEvent(
          new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }),
        );
    },
    { name, data: Buffer.from(bytes).toString('base64') },
  );
}

/** The step the feature maps were computed at (`weights after step 40`), or -1. */
async function inspectedStep(page: Page): Promise<number> {
  const line =
    (await page
      .locator(testId('inspect-weights'))
      .textContent()
      .catch(() => '')) ?? '';
  const match = /after step (\d+)/.exec(line);
  return match ? Number(match[1]) : -1;
}

describe('training in Chromium', () => {
  it(
    'trains LeNet-5 one epoch on the digits, shows it learning and inside, and exports what PyTorch agrees with',
    async () => {
      if (setupError) throw setupError;
      const context = await newContext(browser);
      await context.addInitScript(() => {
        // Downloads instead of save pickers (headless Chromium cannot show them); a tall dock for the screenshots.
        for (const name of ['showOpenFilePicker', 'showSaveFilePicker', 'showDirectoryPicker'])
          Object.defineProperty(window, name, { value: undefined, configurable: true });
        localStorage.setItem('neurocanvas.ui', JSON.stringify({ dockOpen: true, dockHeight: 470 }));
      });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await openApp(page, url);

      // 1. The LeNet-5 template, and the embedded digits loaded at start.
      await page.getByRole('button', { name: 'Templates' }).click();
      await page.locator(testId('template-lenet5')).click();
      await settled(page);
      expect(await text(page, 'project-name')).toBe('LeNet-5');
      await tab(page, 'data');
      await expect.poll(() => text(page, 'data-count'), { timeout: MINUTE }).toBe('10,000');
      expect(await text(page, 'data-shape')).toBe('1 x 28 x 28');
      await expect.poll(() => page.locator(`${testId('data-samples')} canvas`).count()).toBe(30);
      await shot(page, 'train-01-lenet-and-digits');

      // 2. The template's own settings (Adam, batch 32, its learning rate and schedule, 10% held out), as a user
      // would leave them, for one epoch instead of five.
      await tab(page, 'training');
      // SwiftShader is a software adapter: the app starts on the CPU engine (faster there) and says why; the
      // user can still choose WebGPU, which this test trains on.
      await expect.poll(() => text(page, 'cpu-chosen'), { timeout: MINUTE }).toContain('software');
      expect(await page.locator(testId('train-backend')).inputValue()).toBe('cpu');
      await page.locator(testId('train-backend')).selectOption('gpu');
      await expect.poll(() => page.locator(testId('gpu-adapter')).textContent()).toContain('WebGPU');
      expect(await page.locator(testId('train-backend')).inputValue()).toBe('gpu');
      expect(await page.locator(testId('train-batch')).inputValue()).toBe('32');
      expect(await page.locator(testId('train-split')).inputValue()).toBe('10');
      await page.locator(testId('train-epochs')).fill('1');
      const lr = Number(await page.locator(testId('train-lr')).inputValue());
      const schedule = await page.locator('#train-schedule').inputValue();
      await page.locator(testId('train-start')).click();
      await expect.poll(() => status(page), { timeout: MINUTE }).toBe('training');
      expect(await text(page, 'train-mode')).toBe('train mode');

      // 3. Pause and resume between steps.
      await expect
        .poll(() => page.locator(testId('chart-loss')).locator('svg').getAttribute('data-points'), {
          timeout: MINUTE,
        })
        .not.toBe('0');
      await page.locator(testId('train-pause')).click();
      await expect.poll(() => status(page), { timeout: MINUTE }).toBe('paused');
      const pausedAt = await text(page, 'train-progress-text');
      await page.waitForTimeout(1500);
      expect(await text(page, 'train-progress-text')).toBe(pausedAt);
      await page.locator(testId('train-resume')).click();
      await expect.poll(() => status(page)).toBe('training');

      // 4. conv1's feature maps while it trains: they follow the weights every few steps.
      await page.locator(testId('node-conv1')).click();
      await tab(page, 'features');
      await expect
        .poll(() => page.locator(testId('feature-maps')).getAttribute('data-channels'), { timeout: MINUTE })
        .toBe('6');
      await expect.poll(() => inspectedStep(page), { timeout: MINUTE }).toBeGreaterThan(0);
      const firstSeen = await inspectedStep(page);
      await expect.poll(() => inspectedStep(page), { timeout: 2 * MINUTE }).toBeGreaterThan(firstSeen);
      await shot(page, 'train-02-conv1-feature-maps-live');

      // The canvas's sparklines: each layer's activation spread, sampled every few steps while it trains.
      await expect
        .poll(async () => Number(await page.locator(testId('sparkline-conv1')).getAttribute('data-points')), {
          timeout: MINUTE,
        })
        .toBeGreaterThanOrEqual(2);
      expect(await page.locator('[data-testid^="sparkline-"]').count()).toBeGreaterThanOrEqual(10);
      await tab(page, 'training');
      await page.waitForTimeout(2000);
      await shot(page, 'train-03-training');

      // 5. The end of the epoch: validation in eval mode, the loss chart down, holdout accuracy above 90%.
      await expect.poll(() => status(page), { timeout: 8 * MINUTE, interval: 2000 }).toBe('done');
      const loss = page.locator(testId('chart-loss')).locator('svg');
      const first = Number(await loss.getAttribute('data-first'));
      const last = Number(await loss.getAttribute('data-last'));
      expect(first).toBeGreaterThan(2);
      expect(last).toBeLessThan(first / 3);
      const rate = page.locator(testId('chart-lr')).locator('svg');
      if (schedule !== 'constant') expect(Number(await rate.getAttribute('data-last'))).toBeLessThan(lr / 2);
      const accuracy = Number(await page.locator(testId('validation-accuracy')).getAttribute('data-value'));
      expect(accuracy).toBeGreaterThan(0.9);
      await expect
        .poll(() => page.locator(`${testId('predictions')} canvas`).count(), { timeout: MINUTE })
        .toBe(48);
      expect(await page.locator(`${testId('confusion')} td`).count()).toBe(100);
      const speed = Number(await page.locator(testId('epoch-speed')).getAttribute('data-value'));
      await shot(page, 'train-04-epoch-done');

      await tab(page, 'features');
      await expect.poll(() => text(page, 'inspect-weights'), { timeout: MINUTE }).toContain('after step 281');
      await expect.poll(() => page.locator(`${testId('kernel-tiles')} canvas`).count()).toBe(6);
      await shot(page, 'train-05-conv1-after-training');

      // 6. Export the state_dict and model.py (downloads), and check them in PyTorch on the same holdout.
      const dir = join(RESULTS, 'training-export');
      mkdirSync(dir, { recursive: true });
      const exported: Record<string, string> = {};
      for (const kind of ['pt', 'py', 'checkpoint'] as const) {
        await page.locator(testId('export-menu')).click();
        const [download] = await Promise.all([
          page.waitForEvent('download'),
          page.locator(testId(`export-${kind}`)).click(),
        ]);
        exported[kind] = join(dir, download.suggestedFilename());
        await download.saveAs(exported[kind]);
      }
      expect(exported.pt!.endsWith('lenet-5.pt')).toBe(true);
      expect(exported.py!.endsWith('model.py')).toBe(true);
      await shot(page, 'train-06-exported');
      const holdout = writeMnistHoldout(dir, 0.1, 0);
      const torch = torchAccuracy(exported.py!, 'LeNet5', exported.pt!, holdout, [1, 28, 28]);
      expect(torch.missing).toEqual([]);
      expect(torch.unexpected).toEqual([]);
      expect(torch.samples).toBe(999);
      // The same samples, the same weights: at most a sample on a class boundary may tip with float rounding.
      expect(Math.abs(torch.correct - Math.round(accuracy * 999))).toBeLessThanOrEqual(1);

      // 7. A project bundle (graph + weights + metrics) reopens trained: dropped on a fresh project, it brings
      // back LeNet-5, its metrics and exactly the weights that were exported.
      await page.locator(testId('export-menu')).click();
      const [bundle] = await Promise.all([
        page.waitForEvent('download'),
        page.locator(testId('export-bundle')).click(),
      ]);
      expect(bundle.suggestedFilename()).toBe('lenet-5.ncbundle.zip');
      const bundlePath = join(dir, bundle.suggestedFilename());
      await bundle.saveAs(bundlePath);
      await page.getByRole('button', { name: 'New', exact: true }).click();
      await expect.poll(() => text(page, 'project-name')).toBe('Untitled');
      await dropFile(page, 'lenet-5.ncbundle.zip', readFileSync(bundlePath));
      await expect.poll(() => text(page, 'project-name'), { timeout: MINUTE }).toBe('LeNet-5');
      await tab(page, 'training');
      await expect
        .poll(() => page.locator(testId('validation-accuracy')).getAttribute('data-value'), {
          timeout: MINUTE,
        })
        .toBe(String(accuracy));
      await shot(page, 'train-07-bundle-reopened');
      await page.locator(testId('export-menu')).click();
      const [again] = await Promise.all([
        page.waitForEvent('download'),
        page.locator(testId('export-pt')).click(),
      ]);
      const againPath = join(dir, 'reopened.pt');
      await again.saveAs(againPath);
      expect(readFileSync(againPath).equals(readFileSync(exported.pt!))).toBe(true);

      // 8. The full training checkpoint exported after the first epoch (step 6), resumed for a second epoch on the CPU engine: it goes on from step 281
      // with the first epoch's history, and the loss stays where the first epoch left it.
      const checkpointPath = exported.checkpoint!;
      expect(checkpointPath.endsWith('lenet-5.checkpoint.pt')).toBe(true);
      await tab(page, 'training');
      await page.locator(testId('train-backend')).selectOption('cpu');
      await page.locator(testId('train-epochs')).fill('2');
      const [chooser] = await Promise.all([
        page.waitForEvent('filechooser'),
        page.locator(testId('train-resume-checkpoint')).click(),
      ]);
      await chooser.setFiles(checkpointPath);
      await expect
        .poll(() => text(page, 'train-resumed'), { timeout: MINUTE })
        .toBe('from lenet-5.checkpoint.pt (epoch 2, after step 281)');
      await expect
        .poll(() => text(page, 'train-progress-text'), { timeout: MINUTE })
        .toMatch(/^epoch 2\/2 · step \d+\/281/);
      await shot(page, 'train-08-resumed-from-checkpoint');
      await expect.poll(() => status(page), { timeout: 8 * MINUTE, interval: 2000 }).toBe('done');
      expect(await text(page, 'train-outcome')).toContain('finished 2 epochs');
      const resumedLoss = Number(await loss.getAttribute('data-last'));
      expect(resumedLoss).toBeLessThan(first / 3);
      expect(await page.locator(testId('epoch-summary')).textContent()).toContain('Epoch 2');
      await page.locator(testId('train-backend')).selectOption('gpu');

      writeFileSync(
        join(dir, 'result.json'),
        JSON.stringify({ lr, schedule, appAccuracy: accuracy, torch, imagesPerSecond: speed }, null, 1),
      );
      console.log(
        `app (lr ${lr}, ${schedule}): holdout accuracy ${(accuracy * 100).toFixed(2)}%, ${speed.toFixed(1)} images/s; PyTorch: ${(torch.accuracy * 100).toFixed(2)}%`,
      );
      expect(errors).toEqual([]);
      await context.close();
    },
    15 * MINUTE,
  );

  it(
    'says plainly when there is no WebGPU adapter, and trains on the CPU instead',
    async () => {
      if (setupError) throw setupError;
      // Chromium without the WebGPU flags has navigator.gpu but no adapter on this machine.
      const plain = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox'],
      });
      try {
        const context = await plain.newContext({
          viewport: { width: 1440, height: 900 },
          colorScheme: 'dark',
        });
        await context.addInitScript(() =>
          localStorage.setItem('neurocanvas.ui', JSON.stringify({ dockOpen: true, dockHeight: 470 })),
        );
        const page = await context.newPage();
        await openApp(page, url);
        await tab(page, 'training');
        const note = page.locator(testId('no-gpu'));
        // The page is cross-origin isolated (as the desktop app): the CPU backend gets a helper per further core.
        expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
        const cores = Math.min(await page.evaluate(() => navigator.hardwareConcurrency), 8);
        const threads = cores > 1 ? ` (${cores} threads)` : '';
        await expect
          .poll(() => note.textContent(), { timeout: MINUTE })
          .toContain(`No WebGPU adapter: training will use the CPU${threads}, which is much slower.`);
        expect(await page.locator(testId('train-backend')).inputValue()).toBe('cpu');
        expect(await page.locator(`${testId('train-backend')} option[value="gpu"]`).isDisabled()).toBe(true);
        await page.locator(testId('train-epochs')).fill('1');
        await page.locator(testId('train-start')).click();
        await expect
          .poll(() => page.locator(testId('train-progress-text')).textContent(), { timeout: MINUTE })
          .toMatch(/step ([2-9]\d|\d{3})\//);
        const progress = await text(page, 'train-progress-text');
        await shot(page, 'train-09-no-webgpu-cpu');
        await page.locator(testId('train-stop')).click();
        await expect.poll(() => status(page), { timeout: MINUTE }).toBe('done');
        expect(await text(page, 'train-outcome')).toContain('stopped at epoch 1');
        console.log(`app on the CPU backend: ${progress}`);
        await context.close();
      } finally {
        await plain.close();
      }
    },
    5 * MINUTE,
  );
});
