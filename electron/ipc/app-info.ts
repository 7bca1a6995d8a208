// App info (name, version, OS) for the renderer's synchronous `appInfo()`: main passes it to the preload as one
// command-line argument of the renderer process, so no synchronous IPC is needed.

import type { AppInfo } from './contract.ts';

export const APP_NAME = 'NeuroCanvas';
const PREFIX = '--neurocanvas-app-info=';

export function createAppInfo(version: string, platform: string): AppInfo {
  return { name: APP_NAME, version, platform };
}

/** The argument main adds through `webPreferences.additionalArguments`. */
export function appInfoArgument(info: AppInfo): string {
  return `${PREFIX}${encodeURIComponent(JSON.stringify(info))}`;
}

/** Reads the argument back in the preload; falls back to what the preload itself knows. */
export function appInfoFromArgv(argv: readonly string[], fallbackPlatform: string): AppInfo {
  const raw = argv.find((a) => a.startsWith(PREFIX));
  try {
    const parsed = JSON.parse(decodeURIComponent(raw?.slice(PREFIX.length) ?? '')) as Partial<AppInfo>;
    if (typeof parsed.version === 'string' && typeof parsed.platform === 'string')
      return createAppInfo(parsed.version, parsed.platform);
  } catch {
    // fall through
  }
  return createAppInfo('unknown', fallbackPlatform);
}
