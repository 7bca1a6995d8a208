// The recent-files menu beside Open: projects opened or saved before, newest first.

import { useEffect, useRef, useState } from 'react';
import { openRecentFile } from '../app/projectFiles.ts';
import { ChevronIcon } from '../canvas/icons.tsx';
import { platform } from '../platform/index.ts';
import type { RecentFile } from '../platform/types.ts';

export function RecentMenu() {
  const [open, setOpen] = useState(false);
  const [recent, setRecent] = useState<RecentFile[] | null>(null);
  const root = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    let live = true;
    platform()
      .recentFiles()
      .then((list) => live && setRecent(list))
      .catch(() => live && setRecent([]));
    const close = (e: PointerEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    window.addEventListener('pointerdown', close);
    return () => {
      live = false;
      window.removeEventListener('pointerdown', close);
    };
  }, [open]);

  return (
    <div className="menu" ref={root}>
      <button
        type="button"
        className="icon-button is-narrow"
        aria-label="Recent projects"
        aria-haspopup="menu"
        aria-expanded={open}
        title="Recent projects"
        onClick={() => setOpen(!open)}
      >
        <ChevronIcon open />
      </button>
      {open && (
        <div className="menu__list" role="menu" aria-label="Recent projects">
          {recent === null && <p className="menu__empty">Loading…</p>}
          {recent?.length === 0 && <p className="menu__empty">No recent projects yet.</p>}
          {recent?.map((r) => (
            <button
              key={r.ref.id}
              type="button"
              role="menuitem"
              className="menu__item"
              title={r.ref.path ?? r.ref.name}
              onClick={() => {
                setOpen(false);
                void openRecentFile(r.ref);
              }}
            >
              <span>{r.ref.name}</span>
              <span className="menu__meta">{new Date(r.openedAt).toLocaleDateString()}</span>
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
