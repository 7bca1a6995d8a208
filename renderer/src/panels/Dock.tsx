// The bottom dock: Data, Training, Feature maps and Problems tabs; resizable, collapsible (click the open tab).

import { type PointerEvent as ReactPointerEvent, useCallback } from 'react';
import { isRunning, useSession } from '../session/store.ts';
import type { DockTab } from '../store/types.ts';
import { useEditor } from '../store/useEditor.ts';
import { DataPanel } from './data/DataPanel.tsx';
import { FeatureMapsPanel } from './inspect/FeatureMapsPanel.tsx';
import { ProblemsPanel } from './ProblemsPanel.tsx';
import { TrainingPanel } from './training/TrainingPanel.tsx';

const TABS: { id: DockTab; label: string; title: string }[] = [
  { id: 'data', label: 'Data', title: 'The data set, its samples and augmentation' },
  { id: 'training', label: 'Training', title: 'Train the network and watch its metrics' },
  { id: 'features', label: 'Feature maps', title: 'What the selected layer sees' },
  { id: 'problems', label: 'Problems', title: 'Problems in the graph (Ctrl+Shift+M)' },
];

export function Dock() {
  const open = useEditor((s) => s.ui.dockOpen);
  const height = useEditor((s) => s.ui.dockHeight);
  const tab = useEditor((s) => s.ui.dockTab);
  const setUi = useEditor((s) => s.setUi);
  const problems = useEditor((s) => s.analysis.problems.length);
  const status = useSession((s) => s.run.status);
  const dataCount = useSession((s) => s.data?.count);
  const importing = useSession((s) => s.dataTask !== null);

  const startResize = useCallback(
    (event: ReactPointerEvent) => {
      event.preventDefault();
      const startY = event.clientY;
      const move = (e: PointerEvent) =>
        setUi({ dockHeight: Math.min(Math.max(height + startY - e.clientY, 120), window.innerHeight * 0.8) });
      const up = () => {
        window.removeEventListener('pointermove', move);
        window.removeEventListener('pointerup', up);
      };
      window.addEventListener('pointermove', move);
      window.addEventListener('pointerup', up);
    },
    [height, setUi],
  );

  const badge = (id: DockTab) => {
    if (id === 'problems') return <span className={`badge${problems ? ' is-error' : ''}`}>{problems}</span>;
    if (id === 'training' && isRunning(status)) return <span className="dot is-live" title="running" />;
    if (id === 'data' && importing) return <span className="dot is-live" title="importing" />;
    if (id === 'data' && dataCount !== undefined)
      return (
        <span className="badge">{dataCount >= 1000 ? `${Math.round(dataCount / 1000)}k` : dataCount}</span>
      );
    return null;
  };

  return (
    <section
      className={`dock${open ? ' is-open' : ''}`}
      style={open ? { height } : undefined}
      aria-label="Bottom panel"
    >
      {open && <div className="dock__resize" onPointerDown={startResize} title="Drag to resize" />}
      <div className="dock__tabs" role="tablist">
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            aria-selected={open && tab === t.id}
            className="dock__tab"
            onClick={() =>
              setUi(open && tab === t.id ? { dockOpen: false } : { dockOpen: true, dockTab: t.id })
            }
            title={t.title}
            data-testid={`dock-tab-${t.id}`}
          >
            {t.label} {badge(t.id)}
          </button>
        ))}
      </div>
      {open && (
        <div className="dock__body" role="tabpanel">
          {tab === 'data' && <DataPanel />}
          {tab === 'training' && <TrainingPanel />}
          {tab === 'features' && <FeatureMapsPanel />}
          {tab === 'problems' && <ProblemsPanel />}
        </div>
      )}
    </section>
  );
}
