// The bottom dock: tabs (Problems for now; Data, Training and Feature maps join later), resizable, collapsible.

import { type PointerEvent as ReactPointerEvent, useCallback } from 'react';
import { useEditor } from '../store/useEditor.ts';
import { ProblemsPanel } from './ProblemsPanel.tsx';

export function Dock() {
  const open = useEditor((s) => s.ui.dockOpen);
  const height = useEditor((s) => s.ui.dockHeight);
  const setUi = useEditor((s) => s.setUi);
  const problems = useEditor((s) => s.analysis.problems.length);

  const startResize = useCallback(
    (event: ReactPointerEvent) => {
      event.preventDefault();
      const startY = event.clientY;
      const move = (e: PointerEvent) =>
        setUi({ dockHeight: Math.min(Math.max(height + startY - e.clientY, 120), window.innerHeight * 0.7) });
      const up = () => {
        window.removeEventListener('pointermove', move);
        window.removeEventListener('pointerup', up);
      };
      window.addEventListener('pointermove', move);
      window.addEventListener('pointerup', up);
    },
    [height, setUi],
  );

  return (
    <section
      className={`dock${open ? ' is-open' : ''}`}
      style={open ? { height } : undefined}
      aria-label="Bottom panel"
    >
      {open && <div className="dock__resize" onPointerDown={startResize} title="Drag to resize" />}
      <div className="dock__tabs" role="tablist">
        <button
          type="button"
          role="tab"
          aria-selected={open}
          className="dock__tab"
          onClick={() => setUi({ dockOpen: !open })}
          title="Ctrl+Shift+M"
        >
          Problems <span className={`badge${problems ? ' is-error' : ''}`}>{problems}</span>
        </button>
      </div>
      {open && (
        <div className="dock__body" role="tabpanel">
          <ProblemsPanel />
        </div>
      )}
    </section>
  );
}
