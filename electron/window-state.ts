// The main window's size and position, remembered in a small JSON file in userData and restored only when
// it still lands on a connected display (a monitor may have been unplugged since).

import { promises as fs } from 'node:fs';
import { writeFileAtomic } from './ipc/atomic-write.ts';

export interface Rectangle {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  bounds: Rectangle;
  maximized: boolean;
  fullScreen: boolean;
}

export const DEFAULT_SIZE = { width: 1440, height: 900 } as const;
export const MIN_SIZE = { width: 800, height: 560 } as const;
/** How much of the window's title bar must be on a display for the saved position to count. */
const VISIBLE_MARGIN = 64;

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function isRectangle(value: unknown): value is Rectangle {
  const r = value as Partial<Rectangle> | null;
  return !!r && isNumber(r.x) && isNumber(r.y) && isNumber(r.width) && isNumber(r.height);
}

/** True when the top strip of `bounds` overlaps some display's work area enough to grab it. */
export function isVisibleOnSomeDisplay(bounds: Rectangle, workAreas: readonly Rectangle[]): boolean {
  return workAreas.some((area) => {
    const left = Math.max(bounds.x, area.x);
    const right = Math.min(bounds.x + bounds.width, area.x + area.width);
    const top = Math.max(bounds.y, area.y);
    const bottom = Math.min(bounds.y + VISIBLE_MARGIN, area.y + area.height);
    return right - left >= VISIBLE_MARGIN && bottom - top >= VISIBLE_MARGIN / 2;
  });
}

/**
 * The state to open with: the saved one when valid and visible; otherwise the default size (centred by the OS,
 * so no x/y), shrunk to fit the primary work area.
 */
export function chooseWindowState(
  saved: unknown,
  workAreas: readonly Rectangle[],
): {
  bounds: Partial<Rectangle> & { width: number; height: number };
  maximized: boolean;
  fullScreen: boolean;
} {
  const s = saved as Partial<WindowState> | null;
  if (s && isRectangle(s.bounds) && isVisibleOnSomeDisplay(s.bounds, workAreas)) {
    return {
      bounds: {
        x: Math.round(s.bounds.x),
        y: Math.round(s.bounds.y),
        width: Math.max(MIN_SIZE.width, Math.round(s.bounds.width)),
        height: Math.max(MIN_SIZE.height, Math.round(s.bounds.height)),
      },
      maximized: s.maximized === true,
      fullScreen: s.fullScreen === true,
    };
  }
  const primary = workAreas[0];
  return {
    bounds: {
      width: primary ? Math.min(DEFAULT_SIZE.width, primary.width) : DEFAULT_SIZE.width,
      height: primary ? Math.min(DEFAULT_SIZE.height, primary.height) : DEFAULT_SIZE.height,
    },
    maximized: false,
    fullScreen: false,
  };
}

/** Reads the saved state; null when there is none or it is damaged. */
export async function readWindowState(file: string): Promise<unknown> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as unknown;
  } catch {
    return null;
  }
}

export async function writeWindowState(file: string, state: WindowState): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(state)}\n`);
}
