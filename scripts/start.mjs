// `npm start`: builds the renderer and the Electron bundles, then opens the desktop app; where the Electron
// binary is missing (and cannot be fetched), serves the built app to a browser on localhost instead.
// Flags: --dev (renderer from the Vite dev server with hot reload), --browser (skip Electron),
// --no-build (use what is in dist/). Env: PORT for the browser fallback (default 4173).

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const passThrough = args.filter((a) => !['--dev', '--browser', '--no-build'].includes(a));
const viteConfig = join(root, 'renderer/vite.config.ts');

/** The Electron executable the npm package points at, or why there is none. */
function findElectron() {
  let folder;
  try {
    folder = dirname(require.resolve('electron/package.json'));
  } catch {
    return { path: null, reason: 'the electron npm package is not installed; run npm install' };
  }
  const pathFile = join(folder, 'path.txt');
  if (!existsSync(pathFile)) return { path: null, reason: `${join(folder, 'dist')} was never downloaded` };
  const relative = readFileSync(pathFile, 'utf8').trim();
  const distFolder = process.env.ELECTRON_OVERRIDE_DIST_PATH || join(folder, 'dist');
  const path = join(distFolder, relative);
  return existsSync(path) ? { path, reason: null } : { path: null, reason: `${path} is missing` };
}

/** Runs the electron package's own download step; returns the last useful line of its output on failure. */
function tryInstallElectron() {
  const script = join(dirname(require.resolve('electron/package.json')), 'install.js');
  console.log(
    'The Electron binary is missing; trying to download it (node node_modules/electron/install.js)...',
  );
  const run = spawnSync(process.execPath, [script], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  if (run.status === 0) return null;
  const lines = `${run.stderr ?? ''}\n${run.stdout ?? ''}`
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('at '));
  return lines[0] ?? (run.error ? run.error.message : `install.js exited with ${run.status}`);
}

async function buildAll({ renderer }) {
  const { build } = await import('vite');
  if (renderer) {
    console.log('Building the renderer (vite build --config renderer/vite.config.ts)...');
    await build({ configFile: viteConfig, logLevel: 'warn' });
  }
  console.log('Building the Electron main process and preload (electron/build.mjs)...');
  const { buildElectron } = await import('../electron/build.mjs');
  await buildElectron();
}

function launchElectron(executable, env) {
  const child = spawn(executable, [join(root, 'dist/electron/main.cjs'), ...passThrough], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  return new Promise((done) => child.on('exit', (code, signal) => done(code ?? (signal ? 1 : 0))));
}

/** Serves dist/renderer on localhost (a secure context, so WebGPU works) until Ctrl+C. */
async function serveInBrowser(reason) {
  const { preview } = await import('vite');
  const port = Number(process.env.PORT) || 4173;
  const server = await preview({
    configFile: viteConfig,
    logLevel: 'warn',
    preview: { port, host: 'localhost', open: false },
  });
  const url = server.resolvedUrls?.local[0] ?? `http://localhost:${port}/`;
  const why = reason ? `The Electron binary is not installed (${reason}). ` : '';
  console.log(`\n${why}Serving NeuroCanvas in your browser instead at ${url}`);
  console.log('Open that address in Chrome, Edge or another browser with WebGPU. Press Ctrl+C to stop.\n');
  const stop = () => {
    server.httpServer.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

async function main() {
  const dev = flag('--dev');
  if (!flag('--no-build')) await buildAll({ renderer: !dev });
  if (flag('--browser')) return serveInBrowser(null);

  let electron = findElectron();
  if (!electron.path) {
    const failure = tryInstallElectron();
    const again = findElectron();
    electron = again.path
      ? again
      : {
          path: null,
          reason: failure ? `${again.reason}, and downloading it failed: ${failure}` : again.reason,
        };
  }
  if (!electron.path) {
    if (dev) await buildAll({ renderer: true });
    return serveInBrowser(electron.reason);
  }

  let devServer = null;
  const env = {};
  if (dev) {
    const { createServer } = await import('vite');
    devServer = await createServer({ configFile: viteConfig });
    await devServer.listen();
    env.NEUROCANVAS_DEV_URL = devServer.resolvedUrls?.local[0] ?? 'http://localhost:5173/';
    console.log(`Renderer dev server at ${env.NEUROCANVAS_DEV_URL}`);
  }
  const code = await launchElectron(electron.path, env);
  await devServer?.close();
  process.exit(code);
}

main().catch((error) => {
  console.error(`NeuroCanvas could not start: ${error?.message ?? error}`);
  process.exit(1);
});
