// UI preferences kept between sessions (theme, panels), and the theme resolved against the OS setting.

import { useEffect, useSyncExternalStore } from 'react';
import type { EditorStore } from '../store/editor.ts';
import type { Theme, UiState } from '../store/types.ts';
import { useEditor } from '../store/useEditor.ts';

const KEY = 'neurocanvas.ui';
const KEPT = ['theme', 'paletteOpen', 'inspectorOpen', 'dockOpen', 'dockHeight'] as const;

export function loadPreferences(): Partial<UiState> {
  try {
    const raw = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Record<string, unknown>;
    const out: Partial<UiState> = {};
    if (raw.theme === 'system' || raw.theme === 'dark' || raw.theme === 'light') out.theme = raw.theme;
    for (const key of ['paletteOpen', 'inspectorOpen', 'dockOpen'] as const)
      if (typeof raw[key] === 'boolean') out[key] = raw[key];
    if (typeof raw.dockHeight === 'number') out.dockHeight = Math.min(Math.max(raw.dockHeight, 120), 600);
    return out;
  } catch {
    return {};
  }
}

export function keepPreferences(store: EditorStore): () => void {
  return store.subscribe((s, before) => {
    if (KEPT.some((k) => s.ui[k] !== before.ui[k]))
      try {
        localStorage.setItem(KEY, JSON.stringify(Object.fromEntries(KEPT.map((k) => [k, s.ui[k]]))));
      } catch {
        // Storage full or disabled: preferences simply are not kept.
      }
  });
}

const query = () => window.matchMedia('(prefers-color-scheme: light)');

function subscribe(onChange: () => void) {
  const media = query();
  media.addEventListener('change', onChange);
  return () => media.removeEventListener('change', onChange);
}

/** 'dark' or 'light': the chosen theme, or the OS's when the choice is 'system'. */
export function useResolvedTheme(): 'dark' | 'light' {
  const theme = useEditor((s) => s.ui.theme);
  const osLight = useSyncExternalStore(subscribe, () => query().matches);
  const resolved = theme === 'system' ? (osLight ? 'light' : 'dark') : theme;
  useEffect(() => {
    document.documentElement.dataset.theme = resolved;
  }, [resolved]);
  return resolved;
}

/** system -> dark -> light -> system */
export function nextTheme(theme: Theme): Theme {
  return theme === 'system' ? 'dark' : theme === 'dark' ? 'light' : 'system';
}
