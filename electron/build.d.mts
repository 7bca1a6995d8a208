// Types for electron/build.mjs, so TypeScript callers (the Electron e2e test) can import it.

/** Bundles electron/main.ts and electron/preload.ts into `outDir` (default dist/electron). */
export function buildElectron(options?: { outDir?: string }): Promise<void>;
