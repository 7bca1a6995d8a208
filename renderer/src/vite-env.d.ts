// Vite's client types (import.meta.glob, ?raw, CSS imports) for the renderer.
/// <reference types="vite/client" />

/** The app version from package.json, set by vite.config.ts. */
declare const __APP_VERSION__: string;
