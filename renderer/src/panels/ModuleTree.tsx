// The module tree (PyTorch's modules() / children()) with parameter counts; click a row to select it.

import { type ReactElement, useState } from 'react';
import { formatShort } from '../../../engine/graph/cost.ts';
import type { ModuleTreeNode } from '../../../engine/graph/modules.ts';
import { layerDef } from '../../../engine/layers/registry.ts';
import { factsOf } from '../canvas/facts.ts';
import { ChevronIcon } from '../canvas/icons.tsx';
import { editorStore, useEditor } from '../store/useEditor.ts';

export function ModuleTree() {
  const graph = useEditor((s) => s.graph);
  const analysis = useEditor((s) => s.analysis);
  const selection = useEditor((s) => s.selection);
  const [folded, setFolded] = useState<ReadonlySet<string>>(new Set());
  const facts = factsOf(graph, analysis);
  const kinds = new Map(graph.nodes.map((n) => [n.id, n.kind]));
  const selected = new Set(selection);

  const paramsOf = (t: ModuleTreeNode) =>
    t.type === 'layer' ? (analysis.nodes.get(t.id)?.cost.params ?? 0) : (facts.groupParams.get(t.id) ?? 0);
  const toggle = (id: string) => {
    const next = new Set(folded);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setFolded(next);
  };
  const choose = (id: string) => {
    const s = editorStore().getState();
    s.select([id]);
    s.requestView('focus', id);
  };

  const rows: ReactElement[] = [];
  const walk = (t: ModuleTreeNode, depth: number) => {
    for (const child of t.children) {
      const isGroup = child.type === 'group';
      const open = isGroup && !folded.has(child.id);
      const params = paramsOf(child);
      const errors =
        (facts.problemsOf.get(child.id) ?? []).some((p) => p.severity === 'error') ||
        (facts.groupErrors.get(child.id) ?? 0) > 0;
      rows.push(
        <li
          key={child.id}
          className={`tree__row${selected.has(child.id) ? ' is-selected' : ''}${errors ? ' has-error' : ''}`}
        >
          <span className="tree__indent" style={{ width: depth * 14 }} />
          {isGroup ? (
            <button
              type="button"
              className="icon-button is-small"
              aria-label={open ? 'Fold' : 'Unfold'}
              onClick={() => toggle(child.id)}
            >
              <ChevronIcon open={open} />
            </button>
          ) : (
            <span className={`swatch is-dot cat-${categoryOf(kinds.get(child.id))}`} aria-hidden="true" />
          )}
          <button type="button" className="tree__name" onClick={() => choose(child.id)} title={child.path}>
            {child.name}
            <span className="tree__kind">{isGroup ? '' : kinds.get(child.id)}</span>
          </button>
          <span className="tree__count">{params ? formatShort(params) : ''}</span>
        </li>,
      );
      if (open) walk(child, depth + 1);
    }
  };
  walk(analysis.tree, 0);

  return (
    <section className="panel module-tree" aria-label="Module tree">
      <div className="panel__header">
        <h2 className="panel__title">Modules</h2>
        <span className="panel__meta">{formatShort(analysis.total.params)} params</span>
      </div>
      <ul className="tree panel__scroll">{rows}</ul>
    </section>
  );
}

function categoryOf(kind: string | undefined): string {
  return (kind && layerDef(kind)?.category) || 'unknown';
}
