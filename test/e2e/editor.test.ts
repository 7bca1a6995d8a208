// The editor in a real browser: build, serve, and drive Chromium through the main editing stories.
// Each step saves a screenshot into test-results/e2e/. Fails (does not skip) when Chromium is missing.

import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildApp,
  dragBetween,
  launch,
  newContext,
  openApp,
  RESULTS,
  serve,
  settled,
  shot,
  testId,
} from './harness.ts';

/** expect.poll with room for a slow machine (auto-layout of a large template takes seconds on CI). */
const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 20_000 });

let browser: Browser;
let server: Server;
let url: string;

/** Why setup failed (no Chromium, a build error): every test then fails with it, rather than being skipped. */
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

/** A browser test: fails (never skips) when the setup could not give it a browser and a served app. */
function e2e(name: string, body: () => Promise<void>) {
  it(name, async () => {
    if (setupError) throw setupError;
    await body();
  });
}

afterAll(async () => {
  await browser?.close();
  server?.close();
});

/** A point on empty canvas with room for a node around it. */
async function emptySpot(page: Page): Promise<{ x: number; y: number }> {
  const spot = await page.evaluate(() => {
    const pane = document.querySelector('.react-flow__pane');
    const rect = document.querySelector('.react-flow')!.getBoundingClientRect();
    // The node lands centred on the point: keep a 250 x 130 box around it clear.
    const clear = (x: number, y: number) => {
      for (let dx = -125; dx <= 125; dx += 25)
        for (let dy = -65; dy <= 65; dy += 13)
          if (document.elementFromPoint(x + dx, y + dy) !== pane) return false;
      return true;
    };
    for (let y = rect.bottom - 90; y > rect.top + 80; y -= 20)
      for (let x = rect.left + 140; x < rect.right - 300; x += 20) if (clear(x, y)) return { x, y };
    return null;
  });
  if (!spot) throw new Error('no empty spot on the canvas');
  return spot;
}

const projectName = (page: Page) => page.locator(testId('project-name'));
const dirtyMark = (page: Page) => page.locator('.toolbar__dirty');

/** Opens a page with the web platform's download/upload fallback (headless Chromium cannot show file pickers). */
async function pageWithoutPickers(): Promise<Page> {
  const context = await newContext(browser);
  await context.addInitScript(() => {
    for (const name of ['showOpenFilePicker', 'showSaveFilePicker', 'showDirectoryPicker'])
      Object.defineProperty(window, name, { value: undefined, configurable: true });
  });
  return context.newPage();
}

describe('editor in Chromium', () => {
  e2e('opens on LeNet-5, adds a Conv2d from the palette and shows the shape on its new edge', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await openApp(page, url);
    await poll(() => projectName(page).textContent()).toBe('LeNet-5');
    await poll(() => page.locator('.react-flow__node-layer').count()).toBe(14);
    expect(await page.locator(testId('status-params')).textContent()).toBe('params 61.7 k');
    expect(await page.locator(testId('edge-label-conv1->relu1:0')).textContent()).toBe('6 x 28 x 28');
    // The whole network fits, so no minimap covers its corner; zoomed in past the edges, the minimap comes back.
    expect(await page.locator('.react-flow__minimap').count()).toBe(0);
    await shot(page, '01-lenet-default');
    for (let i = 0; i < 3; i++) await page.locator('.react-flow__controls-zoomin').click();
    await poll(() => page.locator('.react-flow__minimap').count()).toBe(1);
    await shot(page, '01b-zoomed-in-minimap');
    await page.locator('.react-flow__controls-fitview').click();
    await poll(() => page.locator('.react-flow__minimap').count()).toBe(0);

    // Zoom out to make room beside the network, then drop the layer there.
    await page.locator('.react-flow__controls-zoomout').click();
    await page.locator('.react-flow__controls-zoomout').click();
    await page.waitForTimeout(400);
    const spot = await emptySpot(page);
    await page.locator(testId('palette-Conv2d')).dragTo(page.locator('.react-flow__pane'), {
      targetPosition: await page.locator('.react-flow__pane').evaluate((pane, p) => {
        const r = pane.getBoundingClientRect();
        return { x: p.x - r.left, y: p.y - r.top };
      }, spot),
    });
    const added = page.locator(testId('node-conv2d'));
    await added.waitFor();
    await shot(page, '02-conv2d-dropped');

    await dragBetween(
      page,
      `${testId('node-input')} .port.is-output`,
      `${testId('node-conv2d')} .port.is-input`,
    );
    const label = page.locator(testId('edge-label-input->conv2d:0'));
    await label.waitFor();
    expect(await label.textContent()).toBe('1 x 28 x 28');
    expect(await added.locator(testId('output-shape')).textContent()).toBe('16 x 26 x 26');
    await shot(page, '03-conv2d-connected');

    // A refused edge says why and offers the fix: 16 channels into conv2, which expects 6.
    await dragBetween(
      page,
      `${testId('node-conv2d')} .port.is-output`,
      `${testId('node-conv2')} .port.is-input`,
    );
    const notice = page.locator(testId('notice'));
    await notice.waitFor();
    expect(await notice.textContent()).toContain('expects 6 input channels');
    expect(await notice.getByRole('button', { name: 'Connect and set in_channels to 16' }).count()).toBe(1);
    await shot(page, '04-connection-refused');

    // Quick-add at the pointer with "/": the new layer is fed by the selected one.
    const room = await emptySpot(page);
    await page.mouse.move(room.x, room.y);
    await page.keyboard.press('/');
    await page.getByRole('combobox', { name: 'Search layers and blocks' }).fill('relu');
    await shot(page, '04b-quick-add');
    await page.keyboard.press('Enter');
    await page.locator(testId('node-relu')).waitFor();
    expect(await page.locator(testId('edge-label-conv2d->relu:0')).textContent()).toBe('16 x 26 x 26');
    await shot(page, '04c-quick-added');
    await context.close();
  });

  e2e('breaks a shape, shows expected vs arrived, and applies the offered fix', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await openApp(page, url);
    await page.locator(testId('node-fc1')).click();
    const field = page.getByLabel('in_features', { exact: true });
    await field.fill('100');
    const node = page.locator(testId('node-fc1'));
    await poll(() => node.getAttribute('class')).toContain('has-error');
    expect(await page.locator('.edge-label.is-bad').textContent()).toBe('400');
    const card = page.locator('[data-testid="inspector-layer"] .problem-card');
    expect(await card.textContent()).toContain('expected100 features');
    expect(await card.textContent()).toContain('arrived400 features');
    expect(await page.locator(testId('status-problems')).textContent()).toBe('1 problem');
    await page.locator(testId('node-fc1')).hover();
    await shot(page, '05-shape-broken');

    await card.getByRole('button', { name: 'Fix: Set in_features to 400' }).click();
    await poll(() => node.getAttribute('class')).not.toContain('has-error');
    expect(await page.locator(testId('status-problems')).textContent()).toBe('no problems');
    expect(await field.inputValue()).toBe('400');
    await shot(page, '06-shape-fixed');

    // One undo brings the problem back; the fix was one step.
    await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+z');
    await poll(() => node.getAttribute('class')).toContain('has-error');
    await context.close();
  });

  e2e(
    'opens ResNet-18 from the gallery with blocks collapsed, expands and collapses one, undoes and redoes',
    async () => {
      const context = await newContext(browser);
      const page = await context.newPage();
      await openApp(page, url);
      await page.getByRole('button', { name: 'Templates' }).click();
      await shot(page, '07-templates-gallery');
      await page.locator(testId('template-resnet18')).click();
      await poll(() => projectName(page).textContent()).toBe('ResNet-18');
      await settled(page);
      expect(await page.locator(testId('status-params')).textContent()).toBe('params 11.69 M');
      const frame = page.locator(testId('frame-layer1.0/'));
      const collapsed = page.locator(testId('collapsed-layer1.0/'));
      await collapsed.waitFor();
      expect(await collapsed.locator(testId('output-shape')).textContent()).toBe('64 x 56 x 56');
      expect(await page.locator('.react-flow__node-collapsed').count()).toBe(8);
      await shot(page, '08-resnet18-overview');

      await collapsed.getByRole('button', { name: 'Expand 0' }).click();
      await frame.waitFor();
      await settled(page);
      expect(await collapsed.count()).toBe(0);
      expect(await page.locator(testId('node-layer1.0.conv1')).count()).toBe(1);
      await shot(page, '09-resnet18-block-expanded');

      await frame.getByRole('button', { name: 'Collapse 0' }).click();
      await collapsed.waitFor();
      await settled(page);
      expect(await frame.count()).toBe(0);
      await shot(page, '10-resnet18-block-collapsed');

      await page.keyboard.press('Control+z');
      await frame.waitFor();
      expect(await collapsed.count()).toBe(0);
      await shot(page, '11-resnet18-undo');
      await page.keyboard.press('Control+Shift+z');
      await collapsed.waitFor();
      expect(await frame.count()).toBe(0);
      await shot(page, '12-resnet18-redo');
      await context.close();
    },
  );

  e2e('groups layers into a module with Ctrl+G, pastes a copy with its inner edges, and undoes', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await openApp(page, url);
    await page.locator(testId('node-conv1')).click();
    await page.locator(testId('node-relu1')).click({ modifiers: ['Shift'] });
    await page.locator(testId('node-pool1')).click({ modifiers: ['Shift'] });
    await page.keyboard.press('Control+g');
    const frame = page.locator(testId('frame-block/'));
    await frame.waitFor();
    await settled(page);
    expect(await frame.textContent()).toContain('156 params');
    await shot(page, '12b-grouped');

    await page.keyboard.press('Control+c');
    // Paste lands at the pointer.
    const room = await emptySpot(page);
    await page.mouse.move(room.x, room.y);
    await page.keyboard.press('Control+v');
    await poll(() => page.locator('.react-flow__node-layer').count()).toBe(17);
    expect(await page.locator('.react-flow__node-frame').count()).toBe(2);
    // The copy keeps the edges between its layers, not the one from the input.
    expect(await page.locator(testId('rf__edge-conv1_1->relu1_1:0')).count()).toBe(1);
    expect(await page.locator(testId('rf__edge-relu1_1->pool1_1:0')).count()).toBe(1);
    expect(await page.locator('[data-testid^="rf__edge-"][data-testid$="->conv1_1:0"]').count()).toBe(0);
    await shot(page, '12c-pasted');

    await page.keyboard.press('Control+z');
    await page.keyboard.press('Control+z');
    await poll(() => page.locator('.react-flow__node-frame').count()).toBe(0);
    expect(await page.locator('.react-flow__node-layer').count()).toBe(14);
    await context.close();
  });

  e2e('saves a project, reloads the page, reopens the file and finds it identical', async () => {
    const page = await pageWithoutPickers();
    await openApp(page, url);
    await projectName(page).click();
    await page.getByLabel('Project name').fill('Digits v2');
    await page.keyboard.press('Enter');
    await page.locator(testId('node-fc2')).click();
    await page.getByLabel('out_features', { exact: true }).fill('90');
    await page.getByLabel('in_features', { exact: true }).fill('auto');
    await poll(() => dirtyMark(page).count()).toBe(1);

    const [saved] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Control+s')]);
    expect(saved.suggestedFilename()).toBe('digits-v2.json');
    const first = join(RESULTS, 'saved-project.json');
    await saved.saveAs(first);
    await poll(() => dirtyMark(page).count()).toBe(0);
    const text = readFileSync(first, 'utf8');
    expect(JSON.parse(text).name).toBe('Digits v2');

    await page.reload();
    await page.locator('.react-flow__node-layer').first().waitFor();
    await page.getByRole('button', { name: 'Templates' }).click();
    await page.locator(testId('template-mlp')).click();
    await poll(() => projectName(page).textContent()).not.toContain('Digits');
    await settled(page);

    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByRole('button', { name: 'Open', exact: true }).click(),
    ]);
    await chooser.setFiles(first);
    await poll(() => projectName(page).textContent()).toBe('Digits v2');
    expect(await page.locator(testId('node-fc2')).textContent()).toContain('90');
    await shot(page, '13-project-reopened');

    const [again] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Control+s')]);
    const second = join(RESULTS, 'saved-project-again.json');
    await again.saveAs(second);
    expect(readFileSync(second, 'utf8')).toBe(text);
    await page.context().close();
  });

  e2e('recovers unsaved work after the tab is closed (autosave)', async () => {
    const context = await newContext(browser);
    const first = await context.newPage();
    await openApp(first, url);
    await first.locator(testId('node-conv1')).click();
    await first.getByLabel('out_channels', { exact: true }).fill('8');
    await poll(() => dirtyMark(first).count()).toBe(1);
    await poll(() => first.locator(testId('autosaved')).count()).toBe(1);
    await first.waitForTimeout(800);
    await first.close();

    const second = await context.newPage();
    await openApp(second, url);
    await poll(() => dirtyMark(second).count()).toBe(1);
    expect(await second.locator(testId('node-conv1')).textContent()).toContain('8 ch');
    expect(await second.locator(testId('notice')).textContent()).toContain('Restored LeNet-5');
    await shot(second, '14-recovered-after-close');
    await context.close();
  });

  e2e('shows the shortcuts overlay and the light theme', async () => {
    const context = await newContext(browser, { light: true });
    const page = await context.newPage();
    await openApp(page, url);
    await page.locator(testId('node-conv2')).click();
    await shot(page, '15-lenet-light');
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await shot(page, '16-shortcuts');
    await page.keyboard.press('Escape');
    expect(await page.getByRole('dialog').count()).toBe(0);
    await context.close();
  });
});
