// The status bar: parameters, weight memory, multiply-adds, the WebGPU adapter, autosave and the problem count.

import { useEffect, useState } from 'react';
import { formatCount, formatMegabytes, formatShort } from '../../../engine/graph/cost.ts';
import { useEditor } from '../store/useEditor.ts';

/** The WebGPU adapter's description, or why there is none. */
function useAdapter(): string {
  const [text, setText] = useState('WebGPU: checking…');
  useEffect(() => {
    const gpu = (
      navigator as Navigator & {
        gpu?: {
          requestAdapter(): Promise<{
            info?: { vendor?: string; architecture?: string; description?: string };
          } | null>;
        };
      }
    ).gpu;
    if (!gpu) {
      setText('WebGPU: not available');
      return;
    }
    gpu
      .requestAdapter()
      .then((adapter) => {
        if (!adapter) return setText('WebGPU: no adapter');
        const info = adapter.info;
        const name =
          info?.description || [info?.vendor, info?.architecture].filter(Boolean).join(' ') || 'ready';
        setText(`WebGPU: ${name}`);
      })
      .catch(() => setText('WebGPU: not available'));
  }, []);
  return text;
}

export function StatusBar() {
  const total = useEditor((s) => s.analysis.total);
  const problems = useEditor((s) => s.analysis.problems);
  const autosavedAt = useEditor((s) => s.ui.autosavedAt);
  const dockOpen = useEditor((s) => s.ui.dockOpen);
  const dockTab = useEditor((s) => s.ui.dockTab);
  const setUi = useEditor((s) => s.setUi);
  const adapter = useAdapter();
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;

  return (
    <footer className="statusbar">
      <span title={`${formatCount(total.params)} trainable parameters`} data-testid="status-params">
        params {formatShort(total.params)}
      </span>
      <span title="Memory of weights and buffers">{formatMegabytes(total.paramBytes)}</span>
      <span title="Multiply-adds for one sample">MACs {formatShort(total.macs)}</span>
      <span className="statusbar__spacer" />
      <span title="The graphics adapter training will use">{adapter}</span>
      {autosavedAt !== null && (
        <span data-testid="autosaved" title="Your work is kept in this browser and comes back after a crash">
          autosaved{' '}
          {new Date(autosavedAt).toLocaleTimeString([], {
            hour: '2-digit',
            minute: '2-digit',
            second: '2-digit',
          })}
        </span>
      )}
      <button
        type="button"
        className={`statusbar__problems${errors ? ' is-error' : warnings ? ' is-warning' : ''}`}
        onClick={() =>
          setUi(
            dockOpen && dockTab === 'problems'
              ? { dockOpen: false }
              : { dockOpen: true, dockTab: 'problems' },
          )
        }
        data-testid="status-problems"
        title="Show problems (Ctrl+Shift+M)"
      >
        {errors === 0 && warnings === 0
          ? 'no problems'
          : [
              errors ? `${errors} problem${errors === 1 ? '' : 's'}` : '',
              warnings ? `${warnings} warning${warnings === 1 ? '' : 's'}` : '',
            ]
              .filter(Boolean)
              .join(', ')}
      </button>
    </footer>
  );
}
