// Copy and paste of a selection: layers, the modules around them and the edges between them (not edges leaving).

import type { GraphEdit } from '../../../engine/graph/edits.ts';
import { siblingNames, uniqueName } from '../../../engine/graph/modules.ts';
import type { Graph, GraphEdge, GraphGroup, GraphNode } from '../../../engine/graph/types.ts';
import { depthOf, expandSelection } from './structure.ts';
import type { Layout, XY } from './types.ts';

export interface ClipboardData {
  nodes: GraphNode[];
  /** Only edges whose both ends were copied. */
  edges: GraphEdge[];
  /** Groups in nesting order (parents before children). */
  groups: GraphGroup[];
  layout: Record<string, XY>;
}

/** What the selection holds, ready to paste; null when nothing is selected. */
export function copySelection(
  graph: Graph,
  layout: Layout,
  selection: readonly string[],
): ClipboardData | null {
  const { nodes, groups } = expandSelection(graph, selection);
  if (nodes.size === 0 && groups.size === 0) return null;
  const copiedNodes = graph.nodes.filter((n) => nodes.has(n.id));
  const copiedGroups = graph.groups
    .filter((g) => groups.has(g.id))
    .sort((a, b) => depthOf(graph, a.id) - depthOf(graph, b.id));
  const edges = graph.edges.filter((e) => nodes.has(e.source) && nodes.has(e.target));
  const positions: Record<string, XY> = {};
  for (const id of [...nodes, ...groups]) if (layout[id]) positions[id] = layout[id];
  return { nodes: copiedNodes, edges, groups: copiedGroups, layout: positions };
}

/** A fresh id like `base`, `base_1`, ... not in `used`; records it as used. */
function freshId(base: string, used: Set<string>): string {
  let id = base;
  for (let i = 1; used.has(id); i++) id = `${base}_${i}`;
  used.add(id);
  return id;
}

export interface PasteResult {
  edits: GraphEdit[];
  layout: Record<string, XY>;
  /** Ids of the pasted top-level items, to select. */
  select: string[];
}

/**
 * Edits that add a copy of `clip`, shifted by `offset`. Items whose module was copied stay inside the copy of
 * it; the others land in the module they came from when it still exists, otherwise at the top level.
 * Top-level names are made unique among their new siblings; ids are fresh.
 */
export function pasteEdits(graph: Graph, clip: ClipboardData, offset: XY): PasteResult {
  const used = new Set<string>([
    ...graph.nodes.map((n) => n.id),
    ...graph.edges.map((e) => e.id),
    ...graph.groups.map((g) => g.id),
  ]);
  const existingGroups = new Set(graph.groups.map((g) => g.id));
  const copiedGroups = new Set(clip.groups.map((g) => g.id));
  const ids = new Map<string, string>();
  const takenBy = new Map<string | undefined, Set<string>>();
  const taken = (parent: string | undefined) => {
    let set = takenBy.get(parent);
    if (!set) {
      set = new Set(siblingNames(graph, parent));
      takenBy.set(parent, set);
    }
    return set;
  };
  /** New parent and name of an item: inside a copied group it keeps both; otherwise it gets a unique name. */
  const place = (item: { name: string; parent?: string }) => {
    if (item.parent !== undefined && copiedGroups.has(item.parent))
      return { parent: ids.get(item.parent), name: item.name };
    const parent = item.parent !== undefined && existingGroups.has(item.parent) ? item.parent : undefined;
    const names = taken(parent);
    const name = uniqueName(item.name, names);
    names.add(name);
    return { parent, name, top: true };
  };

  const edits: GraphEdit[] = [];
  const select: string[] = [];
  const layout: Record<string, XY> = {};
  const shift = (oldId: string, newId: string) => {
    const p = clip.layout[oldId];
    if (p) layout[newId] = { x: p.x + offset.x, y: p.y + offset.y };
  };

  for (const g of clip.groups) {
    const id = freshId(g.id, used);
    ids.set(g.id, id);
    const { parent, name, top } = place(g);
    const group: GraphGroup = { ...g, id, name };
    if (parent !== undefined) group.parent = parent;
    else delete group.parent;
    edits.push({ type: 'addGroup', group });
    shift(g.id, id);
    if (top) select.push(id);
  }
  for (const n of clip.nodes) {
    const id = freshId(n.id, used);
    ids.set(n.id, id);
    const { parent, name, top } = place(n);
    const node: GraphNode = { ...n, id, name };
    if (parent !== undefined) node.parent = parent;
    else delete node.parent;
    edits.push({ type: 'addNode', node });
    shift(n.id, id);
    if (top) select.push(id);
  }
  for (const e of clip.edges) {
    const source = ids.get(e.source);
    const target = ids.get(e.target);
    if (!source || !target) continue;
    edits.push({
      type: 'addEdge',
      edge: { id: freshId(`${source}->${target}:${e.port}`, used), source, target, port: e.port },
    });
  }
  return { edits, layout, select };
}
