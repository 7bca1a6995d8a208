// Vite configuration for the renderer: root is renderer/, output goes to dist/renderer, dev server on 5173.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { ISOLATION_HEADERS } from '../electron/security.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const repository = fileURLToPath(new URL('..', import.meta.url));
const { version } = JSON.parse(readFileSync(`${repository}package.json`, 'utf8')) as { version: string };

export default defineConfig({
  root: here,
  // NOTE: relative asset URLs, so the same build loads from file:// inside Electron.
  base: './',
  plugins: [react()],
  define: { __APP_VERSION__: JSON.stringify(version) },
  build: {
    outDir: `${repository}dist/renderer`,
    emptyOutDir: true,
    target: 'es2022',
    // elkjs is one large chunk, loaded only when auto-layout runs.
    chunkSizeWarningLimit: 2500,
  },
  server: {
    port: 5173,
    strictPort: true,
    // Cross-origin isolated as the desktop app, so the CPU backend's helper threads run here too.
    headers: { ...ISOLATION_HEADERS },
    // The renderer imports ../engine, ../templates and ../shaders (?raw).
    fs: { allow: [repository] },
  },
  preview: { port: 4173, headers: { ...ISOLATION_HEADERS } },
});
