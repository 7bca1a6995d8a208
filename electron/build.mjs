// Bundles the main process and the preload with esbuild: electron/main.ts -> dist/electron/main.cjs and
// electron/preload.ts -> dist/electron/preload.cjs (CommonJS, Node platform, `electron` left external).
// Usage: node electron/build.mjs [--watch]

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build, context } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const { version } = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));

/** @type {import('esbuild').BuildOptions} */
const shared = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  external: ['electron'],
  sourcemap: 'linked',
  logLevel: 'warning',
  define: { __NEUROCANVAS_VERSION__: JSON.stringify(version) },
};

/** Both bundles, written to `outDir` (main.ts finds the renderer at `<outDir>/../renderer`). */
const targets = (outDir = 'dist/electron') => [
  { ...shared, entryPoints: ['electron/main.ts'], outfile: `${outDir}/main.cjs` },
  // NOTE: a sandboxed preload may require only `electron` (and a few browser-safe modules), so everything else
  // must be bundled in, and nothing in it may need Node built-ins.
  { ...shared, entryPoints: ['electron/preload.ts'], outfile: `${outDir}/preload.cjs`, platform: 'browser' },
];

/** Builds both bundles once; resolves when they are written. */
export async function buildElectron({ outDir } = {}) {
  await Promise.all(targets(outDir).map((options) => build(options)));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--watch')) {
    for (const options of targets()) await (await context(options)).watch();
    console.log('Watching electron/ for changes...');
  } else {
    await buildElectron();
    console.log('Built dist/electron/main.cjs and dist/electron/preload.cjs');
  }
}
