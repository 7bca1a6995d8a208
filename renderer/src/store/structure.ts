// Questions about the module structure of a graph: ancestors, descendants, what a selection covers, what is visible.

import type { Graph, GraphGroup } from '../../../engine/graph/types.ts';

/** Group ids from the innermost parent of `parent` outwards (including `parent`). */
export function ancestors(graph: Graph, parent: string | undefined): string[] {
  const byId = new Map(graph.groups.map((g) => [g.id, g]));
  const out: string[] = [];
  const seen = new Set<string>();
  for (let p = parent; p !== undefined && !seen.has(p); p = byId.get(p)?.parent) {
    seen.add(p);
    out.push(p);
  }
  return out;
}

/** `group` and every group nested inside it. */
export function groupAndDescendants(graph: Graph, group: string): Set<string> {
  const out = new Set([group]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const g of graph.groups)
      if (g.parent !== undefined && out.has(g.parent) && !out.has(g.id)) {
        out.add(g.id);
        grew = true;
      }
  }
  return out;
}

/** What a selection covers: selected nodes, plus everything inside selected groups. */
export function expandSelection(
  graph: Graph,
  selection: readonly string[],
): { nodes: Set<string>; groups: Set<string> } {
  const selected = new Set(selection);
  const groups = new Set<string>();
  for (const g of graph.groups)
    if (selected.has(g.id)) for (const d of groupAndDescendants(graph, g.id)) groups.add(d);
  const nodes = new Set<string>();
  for (const n of graph.nodes)
    if (selected.has(n.id) || (n.parent !== undefined && groups.has(n.parent))) nodes.add(n.id);
  return { nodes, groups };
}

/** The parent (group id or undefined for the root) of a node or group. */
export function parentOf(graph: Graph, id: string): string | undefined {
  return graph.nodes.find((n) => n.id === id)?.parent ?? graph.groups.find((g) => g.id === id)?.parent;
}

/** Selected ids whose ancestors are not selected too: the items a group or copy acts on directly. */
export function topLevel(graph: Graph, selection: readonly string[]): string[] {
  const selected = new Set(selection);
  return selection.filter((id) => {
    const known = graph.nodes.some((n) => n.id === id) || graph.groups.some((g) => g.id === id);
    return known && !ancestors(graph, parentOf(graph, id)).some((a) => selected.has(a));
  });
}

/** For each node, the id that stands for it on the canvas: its outermost collapsed group, or itself. */
export function representatives(graph: Graph): Map<string, string> {
  const collapsed = new Set(graph.groups.filter((g) => g.collapsed).map((g) => g.id));
  const out = new Map<string, string>();
  for (const n of graph.nodes) {
    const chain = ancestors(graph, n.parent);
    let rep = n.id;
    for (const g of chain) if (collapsed.has(g)) rep = g;
    out.set(n.id, rep);
  }
  return out;
}

/** Groups shown as a frame (expanded, not inside a collapsed group) and as a single node (collapsed, outermost). */
export function visibleGroups(graph: Graph): { frames: GraphGroup[]; collapsed: GraphGroup[] } {
  const frames: GraphGroup[] = [];
  const collapsed: GraphGroup[] = [];
  const byId = new Map(graph.groups.map((g) => [g.id, g]));
  for (const g of graph.groups) {
    const hidden = ancestors(graph, g.parent).some((a) => byId.get(a)?.collapsed);
    if (hidden) continue;
    if (g.collapsed) collapsed.push(g);
    else frames.push(g);
  }
  return { frames, collapsed };
}

/** Nesting depth of a group (0 at the root). */
export function depthOf(graph: Graph, group: string): number {
  return ancestors(graph, group).length - 1;
}

/** Every node inside `group`, at any depth. */
export function nodesInside(graph: Graph, group: string): string[] {
  const groups = groupAndDescendants(graph, group);
  return graph.nodes.filter((n) => n.parent !== undefined && groups.has(n.parent)).map((n) => n.id);
}
