// Training speed, app vs CLI, back to back on this machine (not a test: `npx tsx test/e2e/speed.ts [runs] [modes]`).
// LeNet-5 with its template settings, batch 32, one epoch of the 9,000 training digits, on the CPU backend (or
// WebGPU with a third argument `gpu`: `npx tsx test/e2e/speed.ts 2 cli,app gpu`):
//   cli     `neurocanvas train templates/lenet5.json --epochs 1 --backend cpu` in a child process
//   worker  the app's engine worker alone in a blank page of the built app (no UI), driven by its protocol
//   app     the whole app in headless Chromium: template, Training tab, backend CPU, Start, wait for the epoch
// Each prints the epoch's images/s (the loop's own figure: time inside the steps), the epoch's wall time, the load,
// and CPU seconds: the training thread (Chromium's DedicatedWorker, or the whole CLI process, start-up included)
// and the rest of Chromium (page, compositor, GPU process), read from /proc, so a loaded machine can be told apart
// from slower code. Linux only.

import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { parseProject } from '../../engine/io/project/project.ts';
import { runSettings } from '../../engine/train/settings.ts';
import { buildApp, launch, newContext, openApp, RESULTS, ROOT, serve, settled, testId } from './harness.ts';

type Mode = 'cli' | 'worker' | 'app';
/** The engine backend both sides train on. */
const BACKEND = process.argv[4] === 'gpu' ? 'gpu' : 'cpu';
interface Figure {
  mode: Mode;
  imagesPerSecond: number;
  seconds: number;
  /** Start to done as the user sees it (the app only). */
  wall?: number;
  load: string;
  /** CPU seconds: the training thread, and everything else of the browser or the CLI process. */
  cpu?: { training: number; rest: number; top: string };
}

const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** CPU ticks (1/100 s) of every thread of the Chromium processes, keyed `type/comm pid/tid`. */
function chromiumThreads(): Map<string, number> {
  const out = new Map<string, number>();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!command.startsWith('/usr/lib/chromium/') && !command.startsWith('/usr/bin/chromium')) continue;
      const type = /--type=([a-z-]+)/.exec(command)?.[1] ?? 'browser';
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const close = stat.lastIndexOf(')');
        const fields = stat.slice(close + 2).split(' ');
        const name = `${type}/${stat.slice(stat.indexOf('(') + 1, close)} ${pid}/${tid}`;
        out.set(name, Number(fields[11]) + Number(fields[12]));
      }
    } catch {
      // A process or thread that ended while being read.
    }
  }
  return out;
}

/** What Chromium's threads spent between two snapshots: the engine worker's thread and the rest. */
function chromiumCpu(before: Map<string, number>, after: Map<string, number>): Figure['cpu'] {
  const rows = [...after].map(([name, ticks]) => [name, (ticks - (before.get(name) ?? 0)) / 100] as const);
  const training = rows.filter(([name]) => name.includes('DedicatedWorker')).reduce((a, [, s]) => a + s, 0);
  const rest = rows.filter(([name]) => !name.includes('DedicatedWorker')).reduce((a, [, s]) => a + s, 0);
  const top = rows
    .filter(([name, s]) => !name.includes('DedicatedWorker') && s >= 0.3)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([name, s]) => `${name.replace(/ \d+\/\d+$/, '')} ${s.toFixed(1)}`)
    .join(', ');
  return { training, rest, top };
}

function cli(): Figure {
  const before = load();
  const outDir = join(RESULTS, 'speed-cli');
  const args = ['train', 'templates/lenet5.json', '--epochs', '1', '--batch', '32', '--backend', BACKEND];
  const run = spawnSync(
    '/usr/bin/time',
    ['-f', 'cpu %U %S', process.execPath, join(ROOT, 'cli/bin.mjs'), ...args, '--out', outDir],
    { cwd: ROOT, encoding: 'utf8' },
  );
  const speed = /, ([\d.]+) images\/s, ([\d.]+) s/.exec(run.stdout);
  const cpu = /cpu ([\d.]+) ([\d.]+)/.exec(run.stderr);
  if (run.status !== 0 || !speed || !cpu) throw new Error(`the CLI failed:\n${run.stdout}\n${run.stderr}`);
  // NOTE: the process's CPU includes starting tsx and decoding the digits; the epoch line's time does not.
  const total = Number(cpu[1]) + Number(cpu[2]);
  return {
    mode: 'cli',
    imagesPerSecond: Number(speed[1]),
    seconds: Number(speed[2]),
    load: before,
    cpu: { training: total, rest: 0, top: '' },
  };
}

const lenet = parseProject(readFileSync(join(ROOT, 'templates/lenet5.json'), 'utf8'));
const settings = runSettings(lenet.training, { epochs: 1, batch_size: 32 });

/** The app's engine worker on its own: the built worker chunk, started from a page of the same origin. */
async function worker(page: Page, url: string): Promise<Figure> {
  const before = load();
  const assets = readdirSync(join(RESULTS, 'dist/assets'));
  const chunk = assets.find((name) => name.startsWith('engine.worker') && name.endsWith('.js'));
  if (!chunk) throw new Error('the built app has no engine.worker chunk');
  // A page of the same origin without the app (the server answers 404 with a line of text).
  await page.goto(`${url}blank`);
  // NOTE: tsx keeps function names with a __name helper the page does not have.
  await page.evaluate('window.__name = (f) => f');
  const threads = chromiumThreads();
  const result = await page.evaluate(
    async ({ src, graph, settings, prefer }) => {
      const w = new Worker(src, { type: 'module' });
      let id = 0;
      const call = (name: string, args: unknown) =>
        new Promise<unknown>((resolve, reject) => {
          const me = ++id;
          const listen = (event: MessageEvent) => {
            const m = event.data as { kind: string; id?: number; value?: unknown; message?: string };
            if (m.id !== me) return;
            if (m.kind === 'result') {
              w.removeEventListener('message', listen);
              resolve(m.value);
            } else if (m.kind === 'error') {
              w.removeEventListener('message', listen);
              reject(new Error(m.message));
            }
          };
          w.addEventListener('message', listen);
          w.postMessage({ kind: 'call', id: me, name, args });
        });
      let epoch: { imagesPerSecond: number; seconds: number } | null = null;
      w.addEventListener('message', (event: MessageEvent) => {
        const m = event.data as { kind: string; event?: { type: string; metrics?: typeof epoch } };
        if (m.kind === 'event' && m.event?.type === 'train.epoch') epoch = m.event.metrics ?? null;
      });
      await call('engine.open', { prefer });
      await call('data.builtin', {});
      await call('train.start', { graph, settings, initial: true });
      return epoch as { imagesPerSecond: number; seconds: number } | null;
    },
    { src: `${url}assets/${chunk}`, graph: lenet.graph, settings, prefer: BACKEND },
  );
  if (!result) throw new Error('the worker sent no epoch');
  const cpu = chromiumCpu(threads, chromiumThreads());
  return {
    mode: 'worker',
    imagesPerSecond: result.imagesPerSecond,
    seconds: result.seconds,
    load: before,
    cpu,
  };
}

async function app(browser: Browser, url: string): Promise<Figure> {
  const context = await newContext(browser);
  await context.addInitScript(() =>
    localStorage.setItem('neurocanvas.ui', JSON.stringify({ dockOpen: true, dockHeight: 470 })),
  );
  const page = await context.newPage();
  await openApp(page, url);
  await page.getByRole('button', { name: 'Templates' }).click();
  await page.locator(testId('template-lenet5')).click();
  await settled(page);
  const tab = page.locator(testId('dock-tab-training'));
  if ((await tab.getAttribute('aria-selected')) !== 'true') await tab.click();
  await page.locator(testId('train-backend')).selectOption(BACKEND);
  await page.locator(testId('train-epochs')).fill('1');
  const before = load();
  const threads = chromiumThreads();
  const started = performance.now();
  await page.locator(testId('train-start')).click();
  const progress = page.locator(testId('train-progress'));
  const deadline = Date.now() + 15 * 60_000;
  while ((await progress.getAttribute('data-status')) !== 'done') {
    if (Date.now() > deadline) throw new Error('the app did not finish the epoch in 15 minutes');
    await page.waitForTimeout(1000);
  }
  const wall = (performance.now() - started) / 1000;
  const cpu = chromiumCpu(threads, chromiumThreads());
  const line = page.locator(testId('epoch-speed'));
  const speed = Number(await line.getAttribute('data-value'));
  // The epoch's own seconds (steps, the hooks between them and validation), as the CLI prints them; the wall
  // time from Start to done (compiling, and up to a second of this loop's polling, included) is printed apart.
  const seconds = Number(await line.getAttribute('data-seconds'));
  await context.close();
  return { mode: 'app', imagesPerSecond: speed, seconds, wall, load: before, cpu };
}

async function main() {
  const runs = Number(process.argv[2] ?? 2);
  const modes = (process.argv[3] ?? 'cli,worker,app').split(',') as Mode[];
  await buildApp();
  const { url, server } = await serve();
  const browser = await launch();
  const figures: Figure[] = [];
  try {
    for (let r = 0; r < runs; r++)
      for (const mode of modes) {
        let figure: Figure;
        if (mode === 'cli') figure = cli();
        else if (mode === 'worker') {
          const context = await newContext(browser);
          figure = await worker(await context.newPage(), url);
          await context.close();
        } else figure = await app(browser, url);
        figures.push(figure);
        console.log(
          `${figure.mode.padEnd(6)} ${figure.imagesPerSecond.toFixed(1).padStart(6)} images/s  epoch ${figure.seconds.toFixed(1)} s` +
            (figure.wall ? ` (Start to done ${figure.wall.toFixed(1)} s)` : '') +
            `  load ${figure.load}` +
            (figure.cpu
              ? `  cpu: training ${figure.cpu.training.toFixed(1)} s, rest ${figure.cpu.rest.toFixed(1)} s${figure.cpu.top ? ` (${figure.cpu.top})` : ''}`
              : ''),
        );
      }
  } finally {
    await browser.close();
    server.close();
  }
  for (const mode of modes) {
    const mine = figures.filter((f) => f.mode === mode);
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    const speeds = mine.map((f) => f.imagesPerSecond);
    console.log(
      `${mode}: mean ${mean(speeds).toFixed(1)} images/s over ${mine.length} (${speeds.map((v) => v.toFixed(0)).join(', ')}), ` +
        `epoch ${mean(mine.map((f) => f.seconds)).toFixed(2)} s`,
    );
  }
}

await main();
