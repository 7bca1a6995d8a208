// Edits for structural commands on a selection: delete, group into a module, ungroup, collapse and expand.

import type { GraphEdit } from '../../../engine/graph/edits.ts';
import { siblingNames, uniqueId, uniqueName } from '../../../engine/graph/modules.ts';
import type { Graph } from '../../../engine/graph/types.ts';
import {
  depthOf,
  expandSelection,
  groupAndDescendants,
  nodesInside,
  parentOf,
  topLevel,
} from './structure.ts';
import type { Layout, XY } from './types.ts';

/** Removes the selection (edges first, then layers, then groups from the inside out). */
export function deleteEdits(graph: Graph, selection: readonly string[]): GraphEdit[] {
  const { nodes, groups } = expandSelection(graph, selection);
  const edits: GraphEdit[] = [];
  for (const e of graph.edges)
    if (nodes.has(e.source) || nodes.has(e.target)) edits.push({ type: 'removeEdge', id: e.id });
  for (const n of graph.nodes) if (nodes.has(n.id)) edits.push({ type: 'removeNode', id: n.id });
  const ordered = [...groups].sort((a, b) => depthOf(graph, b) - depthOf(graph, a));
  for (const g of ordered) edits.push({ type: 'removeGroup', id: g });
  // Edges selected on their own (by id).
  const selectedEdges = new Set(selection);
  for (const e of graph.edges)
    if (selectedEdges.has(e.id) && !nodes.has(e.source) && !nodes.has(e.target))
      edits.push({ type: 'removeEdge', id: e.id });
  return edits;
}

export type GroupResult = { ok: true; edits: GraphEdit[]; group: string } | { ok: false; reason: string };

/** Wraps the selected layers and modules in a new module, inside the module they share. */
export function groupEdits(graph: Graph, selection: readonly string[], name = 'block'): GroupResult {
  const items = topLevel(graph, selection);
  if (items.length === 0) return { ok: false, reason: 'Select the layers to group first.' };
  const parents = new Set(items.map((id) => parentOf(graph, id)));
  if (parents.size > 1)
    return {
      ok: false,
      reason: 'The selected layers sit in different modules. Select layers from one module to group them.',
    };
  const parent = [...parents][0];
  const groupName = uniqueName(name, siblingNames(graph, parent));
  const parentGroup = graph.groups.find((g) => g.id === parent);
  const id = uniqueId(graph, `${parentGroup ? parentGroup.id.replace(/\/$/, '.') : ''}${groupName}/`);
  const edits: GraphEdit[] = [
    { type: 'addGroup', group: { id, name: groupName, ...(parent !== undefined ? { parent } : {}) } },
  ];
  for (const item of items) edits.push({ type: 'setParent', id: item, parent: id });
  return { ok: true, edits, group: id };
}

/** Dissolves the selected modules: their children move up one level (renamed if a name is taken there). */
export function ungroupEdits(
  graph: Graph,
  selection: readonly string[],
): { edits: GraphEdit[]; freed: string[] } {
  const groupIds = new Set(graph.groups.map((g) => g.id));
  const targets = topLevel(graph, selection).filter((id) => groupIds.has(id));
  const edits: GraphEdit[] = [];
  const freed: string[] = [];
  for (const id of targets) {
    const group = graph.groups.find((g) => g.id === id)!;
    const taken = new Set(siblingNames(graph, group.parent).filter((n) => n !== group.name));
    const children = [
      ...graph.nodes.filter((n) => n.parent === id),
      ...graph.groups.filter((g) => g.parent === id),
    ];
    for (const child of children) {
      edits.push({ type: 'setParent', id: child.id, parent: group.parent });
      const name = uniqueName(child.name, taken);
      if (name !== child.name) edits.push({ type: 'rename', id: child.id, name });
      taken.add(name);
      freed.push(child.id);
    }
    edits.push({ type: 'removeGroup', id });
  }
  return { edits, freed };
}

/** The modules a collapse/expand command acts on: selected groups, or the module around a selected layer. */
export function collapseTargets(graph: Graph, selection: readonly string[]): string[] {
  const groupIds = new Set(graph.groups.map((g) => g.id));
  const out = new Set<string>();
  for (const id of selection) {
    if (groupIds.has(id)) out.add(id);
    else {
      const parent = graph.nodes.find((n) => n.id === id)?.parent;
      if (parent !== undefined) out.add(parent);
    }
  }
  return [...out];
}

/** Default size of a layer node before the canvas has measured it. */
export const NODE_SIZE = { width: 210, height: 96 };

/** Top-left corner of the box around the layers inside `group`, from the layout. */
export function membersCorner(graph: Graph, layout: Layout, group: string): XY | undefined {
  let x = Number.POSITIVE_INFINITY;
  let y = Number.POSITIVE_INFINITY;
  for (const id of nodesInside(graph, group)) {
    const p = layout[id];
    if (!p) continue;
    x = Math.min(x, p.x);
    y = Math.min(y, p.y);
  }
  return Number.isFinite(x) ? { x, y } : undefined;
}

/**
 * Collapses or expands one module. A collapsed module takes the place of its members' top-left corner;
 * expanding moves the members to wherever the collapsed node was dragged.
 */
export function toggleCollapse(
  graph: Graph,
  layout: Layout,
  group: string,
): { edits: GraphEdit[]; layout: Record<string, XY> } {
  const g = graph.groups.find((x) => x.id === group);
  if (!g) return { edits: [], layout: {} };
  const collapse = g.collapsed !== true;
  const corner = membersCorner(graph, layout, group);
  const patch: Record<string, XY> = {};
  if (collapse) {
    if (corner) patch[group] = corner;
  } else {
    const at = layout[group];
    if (at && corner && (at.x !== corner.x || at.y !== corner.y)) {
      const dx = at.x - corner.x;
      const dy = at.y - corner.y;
      const inner = groupAndDescendants(graph, group);
      for (const id of nodesInside(graph, group)) {
        const p = layout[id];
        if (p) patch[id] = { x: p.x + dx, y: p.y + dy };
      }
      for (const id of inner) {
        const p = layout[id];
        if (p && id !== group) patch[id] = { x: p.x + dx, y: p.y + dy };
      }
    }
  }
  return { edits: [{ type: 'setCollapsed', id: group, collapsed: collapse }], layout: patch };
}
