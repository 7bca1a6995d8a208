// Who may call the IPC handlers: only the top frame of our own page (app://neurocanvas, or the Vite dev
// server in development). Every handler checks this before it looks at its arguments.

export const APP_SCHEME = 'app';
export const APP_HOST = 'neurocanvas';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

/** The part of Electron's IPC event the check reads (kept structural so tests can pass a plain object). */
export interface SenderEvent {
  senderFrame: { url: string; parent: unknown } | null;
}

export interface SenderPolicy {
  /** The dev server origin when running from NEUROCANVAS_DEV_URL, e.g. `http://localhost:5173`. */
  devOrigin?: string | null;
}

/** True when `url` is a page of ours: app://neurocanvas/..., or the dev server's origin. */
export function isAppUrl(url: string, policy: SenderPolicy = {}): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  // NOTE: Node's URL gives non-special schemes an origin of "null", so compare scheme and host instead.
  if (parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST) return true;
  if (!policy.devOrigin) return false;
  try {
    return parsed.origin === new URL(policy.devOrigin).origin;
  } catch {
    return false;
  }
}

/** True when the IPC message came from our page's top frame (not an iframe, not a foreign page). */
export function isTrustedSender(event: SenderEvent, policy: SenderPolicy = {}): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent) return false;
  return isAppUrl(frame.url, policy);
}
