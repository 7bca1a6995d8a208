// The window's security policy as data: the Content-Security-Policy, the permissions the page may have,
// and the web addresses a link may open in the OS browser. main.ts applies it; tests read it.

/**
 * Strict policy for the built app on app://. No eval, no inline script, no remote anything. The one exception,
 * 'wasm-unsafe-eval', lets the engine compile its own WebAssembly kernel (engine/cpu/wasm/), which ships in the
 * app's scripts; it allows no JavaScript eval.
 */
export const APP_CSP = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  // NOTE: React and React Flow set styles through the CSSOM (element.style), which CSP does not block.
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "manifest-src 'self'",
  "object-src 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/**
 * Headers that make the page cross-origin isolated (its own browsing context group, only same-origin
 * resources): what SharedArrayBuffer needs, which the CPU backend's helper threads share their memory through.
 */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
};

/** The dev server's policy: the same, plus what Vite's hot reload needs (inline preamble and styles, websocket). */
export function devCsp(devOrigin: string): string {
  const socket = devOrigin.replace(/^http/, 'ws');
  return APP_CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
    .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
    .replace("connect-src 'self'", `connect-src 'self' ${socket}`);
}

/**
 * Permissions our page may get. WebGPU needs none; copying to the clipboard and full screen are all the UI
 * asks for. Everything else (camera, microphone, location, notifications, MIDI, HID, USB, serial...) is denied.
 */
export const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write', 'fullscreen']);

export function isPermissionAllowed(permission: string, fromOurPage: boolean): boolean {
  return fromOurPage && ALLOWED_PERMISSIONS.has(permission);
}

/** Sites a link may open in the OS browser (documentation, PyTorch, the project's home). */
export const EXTERNAL_HOSTS: ReadonlySet<string> = new Set([
  'github.com',
  'pytorch.org',
  'docs.pytorch.org',
  'developer.mozilla.org',
  'www.w3.org',
  'gpuweb.github.io',
]);

/** True for an https link (or http, upgraded by the browser) to an allowed host; never file:, javascript:... */
export function isExternalUrlAllowed(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return false;
  if (parsed.username || parsed.password) return false;
  return EXTERNAL_HOSTS.has(parsed.hostname.toLowerCase());
}
