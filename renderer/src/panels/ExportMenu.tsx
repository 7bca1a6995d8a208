// The toolbar's Export menu: the trained (or initial) weights as .pt, checkpoint, safetensors, model.py or a
// project bundle; loading weights into the graph (strict, or what fits); reopening a bundle.

import { useEffect, useRef, useState } from 'react';
import { ChevronIcon } from '../canvas/icons.tsx';
import { EXPORTS, exportAs, loadWeightsFile, pickBundle } from '../session/exports.ts';
import { useSession } from '../session/store.ts';
import type { ExportKind } from '../worker/protocol.ts';

const ORDER: ExportKind[] = ['pt', 'checkpoint', 'safetensors', 'py', 'bundle'];

export function ExportMenu() {
  const [open, setOpen] = useState(false);
  const weights = useSession((s) => s.weights);
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: PointerEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    window.addEventListener('pointerdown', close);
    return () => window.removeEventListener('pointerdown', close);
  }, [open]);
  const run = (action: () => Promise<unknown>) => {
    setOpen(false);
    void action();
  };

  return (
    <div className="menu" ref={root}>
      <button
        type="button"
        className="button is-quiet"
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
        title="Export the network and its weights to PyTorch, or load weights"
        data-testid="export-menu"
      >
        Export <ChevronIcon open />
      </button>
      {open && (
        <div className="menu__list is-wide" role="menu" aria-label="Export">
          <p className="menu__empty">
            {weights === 'initial' ? 'Untrained weights (seeded init)' : `The ${weights} weights`}
          </p>
          {ORDER.map((kind) => (
            <button
              key={kind}
              type="button"
              role="menuitem"
              className="menu__item"
              data-testid={`export-${kind}`}
              onClick={() => run(() => exportAs(kind))}
            >
              <span>{EXPORTS[kind].label}</span>
            </button>
          ))}
          <hr className="menu__separator" />
          <button
            type="button"
            role="menuitem"
            className="menu__item"
            onClick={() => run(() => loadWeightsFile(true))}
          >
            <span>Load weights (strict)…</span>
          </button>
          <button
            type="button"
            role="menuitem"
            className="menu__item"
            onClick={() => run(() => loadWeightsFile(false))}
          >
            <span>Load weights, what fits…</span>
          </button>
          <button type="button" role="menuitem" className="menu__item" onClick={() => run(pickBundle)}>
            <span>Open a project bundle…</span>
          </button>
        </div>
      )}
    </div>
  );
}
