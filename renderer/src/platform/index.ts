// Picks the platform once at startup: the desktop bridge when the Electron preload set one, the web one otherwise.

import type { Platform } from './types.ts';
import { createWebPlatform } from './web.ts';

let chosen: Platform | undefined;

export function platform(): Platform {
  chosen ??= window.neurocanvas ?? createWebPlatform();
  return chosen;
}

export type { FileRef, Platform } from './types.ts';
