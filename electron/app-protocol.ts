// Serves the built renderer (dist/renderer) on app://neurocanvas/: maps a request URL to a file inside the
// folder (never outside it) and gives each answer its content type and the Content-Security-Policy.

import { promises as fs } from 'node:fs';
import { extname, join, normalize, relative, sep } from 'node:path';
import { APP_HOST, APP_SCHEME } from './ipc/sender.ts';
import { APP_CSP, ISOLATION_HEADERS } from './security.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.wgsl': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentType(path: string): string {
  return TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/** The file under `root` that `url` names, or null when the URL is not ours or escapes the folder. */
export function resolveAppFile(url: string, root: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return null;
  let path: string;
  try {
    path = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (path.includes('\0')) return null;
  if (path === '/' || path === '') path = '/index.html';
  const file = normalize(join(root, path));
  const inside = relative(root, file);
  if (!inside || inside.startsWith('..') || inside.split(sep).includes('..')) return null;
  return file;
}

const securityHeaders = (type: string) => ({
  'content-type': type,
  'content-security-policy': APP_CSP,
  'x-content-type-options': 'nosniff',
  ...ISOLATION_HEADERS,
});

/** Answers one app:// request (the body of `protocol.handle`). */
export async function serveAppRequest(url: string, root: string): Promise<Response> {
  const file = resolveAppFile(url, root);
  if (!file) return new Response('Not found', { status: 404, headers: securityHeaders('text/plain') });
  try {
    const body = await fs.readFile(file);
    return new Response(body, { status: 200, headers: securityHeaders(contentType(file)) });
  } catch {
    return new Response('Not found', { status: 404, headers: securityHeaders('text/plain') });
  }
}
