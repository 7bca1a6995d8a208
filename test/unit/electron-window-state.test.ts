// The remembered window size and position: restored only when the window would still be reachable on a
// connected display, otherwise the default size; damaged files are ignored.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  chooseWindowState,
  DEFAULT_SIZE,
  isVisibleOnSomeDisplay,
  MIN_SIZE,
  readWindowState,
  writeWindowState,
} from '../../electron/window-state.ts';

const laptop = { x: 0, y: 0, width: 1920, height: 1080 };
const leftMonitor = { x: -2560, y: 0, width: 2560, height: 1440 };

describe('chooseWindowState', () => {
  it('restores a window that is on a display', () => {
    const saved = { bounds: { x: 100, y: 80, width: 1200, height: 800 }, maximized: true, fullScreen: false };
    expect(chooseWindowState(saved, [laptop])).toEqual(saved);
  });

  it('restores a window on a second monitor left of the first while that monitor is connected', () => {
    const saved = {
      bounds: { x: -2000, y: 100, width: 1400, height: 900 },
      maximized: false,
      fullScreen: false,
    };
    expect(chooseWindowState(saved, [laptop, leftMonitor]).bounds).toEqual(saved.bounds);
    // The monitor was unplugged: open at the default size instead, where the OS puts it.
    expect(chooseWindowState(saved, [laptop]).bounds).toEqual(DEFAULT_SIZE);
  });

  it('refuses a window whose title bar would be off screen', () => {
    expect(isVisibleOnSomeDisplay({ x: 1900, y: 100, width: 800, height: 600 }, [laptop])).toBe(false);
    expect(isVisibleOnSomeDisplay({ x: 100, y: -500, width: 800, height: 600 }, [laptop])).toBe(false);
    expect(isVisibleOnSomeDisplay({ x: 100, y: 1070, width: 800, height: 600 }, [laptop])).toBe(false);
    expect(isVisibleOnSomeDisplay({ x: -700, y: 10, width: 800, height: 600 }, [laptop])).toBe(true);
  });

  it('ignores damaged state and never opens smaller than the minimum', () => {
    for (const saved of [
      null,
      'x',
      { bounds: { x: 'a' } },
      { bounds: { x: 0, y: 0, width: NaN, height: 5 } },
    ])
      expect(chooseWindowState(saved, [laptop])).toEqual({
        bounds: DEFAULT_SIZE,
        maximized: false,
        fullScreen: false,
      });
    const tiny = chooseWindowState({ bounds: { x: 10, y: 10, width: 100, height: 50 } }, [laptop]);
    expect(tiny.bounds).toMatchObject(MIN_SIZE);
  });

  it('fits the default size into a small screen', () => {
    expect(chooseWindowState(null, [{ x: 0, y: 0, width: 1280, height: 720 }]).bounds).toEqual({
      width: 1280,
      height: 720,
    });
  });
});

describe('reading and writing the state file', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'neurocanvas-window-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('round-trips, and reads a missing or damaged file as null', async () => {
    const file = join(folder, 'window-state.json');
    expect(await readWindowState(file)).toBeNull();
    const state = { bounds: { x: 1, y: 2, width: 1000, height: 700 }, maximized: false, fullScreen: true };
    await writeWindowState(file, state);
    expect(await readWindowState(file)).toEqual(state);
    writeFileSync(file, '{"bounds":');
    expect(await readWindowState(file)).toBeNull();
  });
});
