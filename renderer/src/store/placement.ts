// Gives a canvas position to every node and collapsed module that has none (new layers, fixes, old files).

import { layeredLayout } from '../../../engine/graph/layout.ts';
import type { Graph } from '../../../engine/graph/types.ts';
import { membersCorner } from './structureEdits.ts';
import type { Layout, XY } from './types.ts';

const STEP_X = 240;
const LIFT_Y = 130;

/**
 * The layout with a position for everything. A project without any positions gets the engine's layered
 * layout; a single new node goes after what feeds it, before what it feeds, or between the two (lifted
 * above the line so it does not cover them).
 */
export function placeMissing(graph: Graph, layout: Layout): Layout {
  const missing = graph.nodes.filter((n) => !layout[n.id]);
  const groupsMissing = graph.groups.filter((g) => g.collapsed && !layout[g.id]);
  if (missing.length === 0 && groupsMissing.length === 0) return layout;
  const placed: Record<string, XY> = { ...layout };
  const anyPlaced = graph.nodes.some((n) => layout[n.id]);
  if (!anyPlaced) Object.assign(placed, layeredLayout(graph));
  else
    for (const node of missing) {
      const before = graph.edges.filter((e) => e.target === node.id).map((e) => placed[e.source]);
      const after = graph.edges.filter((e) => e.source === node.id).map((e) => placed[e.target]);
      const from = before.filter((p): p is XY => p !== undefined);
      const to = after.filter((p): p is XY => p !== undefined);
      const meanY = (ps: XY[]) => ps.reduce((s, p) => s + p.y, 0) / ps.length;
      if (from.length && to.length) {
        const x = (Math.max(...from.map((p) => p.x)) + Math.min(...to.map((p) => p.x))) / 2;
        placed[node.id] = { x: Math.round(x), y: Math.round(Math.min(meanY(from), meanY(to)) - LIFT_Y) };
      } else if (from.length)
        placed[node.id] = { x: Math.max(...from.map((p) => p.x)) + STEP_X, y: meanY(from) };
      else if (to.length) placed[node.id] = { x: Math.min(...to.map((p) => p.x)) - STEP_X, y: meanY(to) };
      else {
        const xs = Object.values(placed).map((p) => p.x);
        placed[node.id] = { x: (xs.length ? Math.max(...xs) : 0) + STEP_X, y: 0 };
      }
    }
  for (const g of groupsMissing) {
    const corner = membersCorner(graph, placed, g.id);
    if (corner) placed[g.id] = corner;
  }
  return placed;
}

/** Only the positions of things that still exist (what the project file keeps). */
export function pruneLayout(graph: Graph, layout: Layout): Record<string, XY> {
  const out: Record<string, XY> = {};
  for (const n of graph.nodes) if (layout[n.id]) out[n.id] = layout[n.id]!;
  for (const g of graph.groups) if (layout[g.id]) out[g.id] = layout[g.id]!;
  return out;
}
