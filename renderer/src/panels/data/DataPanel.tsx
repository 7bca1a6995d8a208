// The Data tab: where the data comes from (built-in digits, files, folders, drops), import progress, the sample
// grid, class counts, whether the data fits the network (with fixes), and augmentation with its live preview.

import { useMemo } from 'react';
import { fitData, loadBuiltin, pickData } from '../../session/data.ts';
import { dataFit, type FitFix } from '../../session/fit.ts';
import { useSession } from '../../session/store.ts';
import { editorStore, useEditor } from '../../store/useEditor.ts';
import { SampleGrid } from '../common/SampleGrid.tsx';
import { TaskBar } from '../common/TaskBar.tsx';
import { AugmentPanel } from './AugmentPanel.tsx';
import { ClassCounts } from './ClassCounts.tsx';

function applyFit(fix: FitFix): void {
  const s = editorStore().getState();
  if (fix.kind === 'fitData') void fitData(fix.shape);
  else if (fix.kind === 'setInput')
    s.dispatch([{ type: 'setParams', id: fix.node, params: { shape: fix.shape } }], fix.label, {
      select: [fix.node],
    });
  else
    s.dispatch([{ type: 'setParams', id: fix.node, params: { num_classes: fix.classes } }], fix.label, {
      select: [fix.node],
    });
}

export function DataPanel() {
  const data = useSession((s) => s.data);
  const task = useSession((s) => s.dataTask);
  const error = useSession((s) => s.dataError);
  const preview = useSession((s) => s.preview);
  const graph = useEditor((s) => s.graph);
  const analysis = useEditor((s) => s.analysis);
  const issues = useMemo(() => (data ? dataFit(data, graph, analysis) : []), [data, graph, analysis]);
  const busy = task !== null;

  return (
    <div className="data-tab" data-testid="data-tab">
      <section className="dock-section data-tab__source">
        <h3 className="dock-section__title">Data set</h3>
        {data ? (
          <dl className="facts" data-testid="data-summary">
            <dt>Source</dt>
            <dd data-testid="data-name">{data.name}</dd>
            <dt>Images</dt>
            <dd data-testid="data-count">{data.count.toLocaleString('en')}</dd>
            <dt>Image size</dt>
            <dd data-testid="data-shape">
              {data.shape.join(' x ')}
              {data.shape.join() !== data.originalShape.join() && (
                <span className="muted"> (from {data.originalShape.join(' x ')})</span>
              )}
            </dd>
            <dt>Classes</dt>
            <dd data-testid="data-classes">{data.classes.length}</dd>
          </dl>
        ) : (
          !busy && <p className="muted">No data loaded.</p>
        )}
        <div className="button-row">
          <button
            type="button"
            className="button is-small"
            disabled={busy}
            onClick={() => void loadBuiltin()}
          >
            Built-in digits
          </button>
          <button
            type="button"
            className="button is-small"
            disabled={busy}
            onClick={() => void pickData(false)}
          >
            Open files…
          </button>
          <button
            type="button"
            className="button is-small"
            disabled={busy}
            onClick={() => void pickData(true)}
          >
            Open folder…
          </button>
        </div>
        <p className="hint">
          Or drop files or folders on the window: MNIST IDX, CIFAR archives, image folders (one subfolder per
          class), zip, NumPy NPY/NPZ, CSV.
        </p>
        {task && <TaskBar task={task} testId="data-progress" />}
        {error && (
          <p className="callout is-error" role="alert" data-testid="data-error">
            {error}
          </p>
        )}
        {data && data.skipped.length > 0 && (
          <details className="callout">
            <summary>
              {data.skipped.length} file{data.skipped.length === 1 ? ' was' : 's were'} left out
            </summary>
            <ul className="plain-list">
              {data.skipped.slice(0, 20).map((text) => (
                <li key={text}>{text}</li>
              ))}
            </ul>
          </details>
        )}
        {issues.map((issue) => (
          <div key={issue.message} className="callout is-warning" data-testid="data-mismatch">
            <p>{issue.message}</p>
            <div className="button-row">
              {issue.fixes.map((fix) => (
                <button
                  key={fix.label}
                  type="button"
                  className="button is-small"
                  disabled={busy}
                  onClick={() => applyFit(fix)}
                >
                  {fix.label}
                </button>
              ))}
            </div>
          </div>
        ))}
      </section>
      {data && (
        <section className="dock-section data-tab__counts">
          <h3 className="dock-section__title">Class counts</h3>
          <ClassCounts classes={data.classes} counts={data.classCounts} />
        </section>
      )}
      <section className="dock-section data-tab__samples">
        <h3 className="dock-section__title">Samples</h3>
        {preview && data ? (
          <SampleGrid block={preview} classes={data.classes} size={40} testId="data-samples" />
        ) : (
          <p className="muted">The samples appear here once data is loaded.</p>
        )}
      </section>
      <AugmentPanel />
    </div>
  );
}
