// Every problem in the graph, worst first; click one to select and show its node, or apply its fix.

import type { Problem } from '../../../engine/graph/problem.ts';
import { factsOf } from '../canvas/facts.ts';
import { ProblemIcon } from '../canvas/ProblemCard.tsx';
import { editorStore, useEditor } from '../store/useEditor.ts';

export function ProblemsPanel() {
  const graph = useEditor((s) => s.graph);
  const analysis = useEditor((s) => s.analysis);
  const applyFix = useEditor((s) => s.applyFix);
  const facts = factsOf(graph, analysis);
  const problems = [...analysis.problems].sort((a, b) =>
    a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1,
  );
  const where = (p: Problem) => {
    const id = p.nodeId ?? p.groupId;
    if (id !== undefined) return facts.paths.get(id) ?? id;
    if (p.edgeId !== undefined) return 'edge';
    return 'model';
  };
  const reveal = (p: Problem) => {
    const id = p.nodeId ?? p.groupId ?? p.edgeId;
    if (id === undefined) return;
    const s = editorStore().getState();
    s.select([id]);
    if (p.edgeId === undefined || p.nodeId !== undefined) s.requestView('focus', id);
  };

  if (problems.length === 0) return <p className="panel__empty">No problems: every shape fits.</p>;
  return (
    <ul className="problems" data-testid="problems-list">
      {problems.map((p, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: problems have no id; the list is rebuilt per analysis
        <li key={i} className={`problems__row is-${p.severity}`}>
          <button type="button" className="problems__main" onClick={() => reveal(p)}>
            <ProblemIcon severity={p.severity} />
            <span className="problems__where">{where(p)}</span>
            <span className="problems__message">{p.message}</span>
            <code className="problems__code">{p.code}</code>
          </button>
          {p.fix && (
            <button type="button" className="button is-small" onClick={() => applyFix(p)}>
              Fix: {p.fix.label}
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}
