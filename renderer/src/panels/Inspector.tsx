// The right-hand inspector: whatever is selected (a layer, a module, an edge, several things, or nothing).

import type { ReactNode } from 'react';

import { formatCount, formatMegabytes, formatShort } from '../../../engine/graph/cost.ts';
import { shapeText } from '../../../engine/layers/shapes.ts';
import { groupSelectionArranged } from '../canvas/layoutCommand.ts';
import { ProblemCard } from '../canvas/ProblemCard.tsx';
import { useEditor } from '../store/useEditor.ts';
import { GroupInspector } from './GroupInspector.tsx';
import { LayerInspector } from './LayerInspector.tsx';

export function Inspector() {
  const selection = useEditor((s) => s.selection);
  const graph = useEditor((s) => s.graph);
  const analysis = useEditor((s) => s.analysis);
  const only = selection.length === 1 ? selection[0] : undefined;
  const node = only !== undefined ? graph.nodes.find((n) => n.id === only) : undefined;
  const group = only !== undefined && !node ? graph.groups.find((g) => g.id === only) : undefined;
  const edge = only !== undefined && !node && !group ? graph.edges.find((e) => e.id === only) : undefined;

  let body: ReactNode;
  if (node) body = <LayerInspector key={node.id} node={node} analysis={analysis} />;
  else if (group) body = <GroupInspector key={group.id} group={group} analysis={analysis} />;
  else if (edge) body = <EdgeSummary id={edge.id} />;
  else if (selection.length > 1) body = <SelectionSummary count={selection.length} />;
  else body = <ProjectSummary />;

  return (
    <section className="panel inspector" aria-label="Inspector">
      <div className="panel__header">
        <h2 className="panel__title">Inspector</h2>
      </div>
      <div className="panel__scroll">{body}</div>
    </section>
  );
}

function ProjectSummary() {
  const meta = useEditor((s) => s.meta);
  const total = useEditor((s) => s.analysis.total);
  const layers = useEditor((s) => s.graph.nodes.length);
  return (
    <div className="inspector__content">
      <header className="inspector__head">
        <div>
          <h2 className="inspector__kind">{meta.name}</h2>
          {meta.description && <p className="inspector__summary">{meta.description}</p>}
        </div>
      </header>
      <section className="inspector__section">
        <h3 className="inspector__heading">Whole network</h3>
        <div className="kv">
          <span>layers</span>
          <code>{layers}</code>
        </div>
        <div className="kv">
          <span>parameters</span>
          <code>{formatCount(total.params)}</code>
        </div>
        <div className="kv">
          <span>weights memory</span>
          <code>{formatMegabytes(total.paramBytes)}</code>
        </div>
        <div className="kv">
          <span>multiply-adds</span>
          <code>{formatShort(total.macs)}</code>
        </div>
      </section>
      <p className="inspector__note">
        Select a layer to edit its parameters. Double-click the canvas or press / to add one.
      </p>
    </div>
  );
}

function SelectionSummary({ count }: { count: number }) {
  const remove = useEditor((s) => s.deleteSelection);
  return (
    <div className="inspector__content">
      <p className="inspector__summary">{count} items selected.</p>
      <div className="inspector__actions">
        <button type="button" className="button" onClick={groupSelectionArranged} title="Ctrl+G">
          Group into a module
        </button>
        <button type="button" className="button" onClick={remove} title="Delete">
          Delete
        </button>
      </div>
    </div>
  );
}

function EdgeSummary({ id }: { id: string }) {
  const graph = useEditor((s) => s.graph);
  const analysis = useEditor((s) => s.analysis);
  const edge = graph.edges.find((e) => e.id === id)!;
  const name = (n: string) => graph.nodes.find((x) => x.id === n)?.name ?? n;
  const shape = analysis.edges.get(id);
  const problems = analysis.problems.filter((p) => p.edgeId === id);
  return (
    <div className="inspector__content">
      <header className="inspector__head">
        <div>
          <h2 className="inspector__kind">Edge</h2>
          <p className="inspector__summary">
            {name(edge.source)} → {name(edge.target)} (input {edge.port + 1})
          </p>
        </div>
      </header>
      <div className="kv">
        <span>carries</span>
        <code>{shape ? shapeText(shape) : '?'}</code>
      </div>
      {problems.map((p, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: problems have no id; the list is rebuilt per analysis
        <ProblemCard key={i} problem={p} />
      ))}
    </div>
  );
}
