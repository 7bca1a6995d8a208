// Module frames: the rounded box drawn around an expanded module's members, computed from their boxes.

import type { Graph, GraphGroup } from '../../../engine/graph/types.ts';
import { ancestors } from '../store/structure.ts';

/** Room around a module's members; the top holds the module's title row. */
export const FRAME_PADDING = { top: 40, side: 16, bottom: 16 };

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface FrameRect extends Rect {
  group: GraphGroup;
  depth: number;
}

/**
 * Frames for every expanded, visible module, inner ones first so outer frames include them. `boxes` holds
 * the rectangles of the visible layer nodes and collapsed modules, by id.
 */
export function computeFrames(graph: Graph, boxes: ReadonlyMap<string, Rect>): FrameRect[] {
  const byId = new Map(graph.groups.map((g) => [g.id, g]));
  const isHidden = (g: GraphGroup) => ancestors(graph, g.parent).some((a) => byId.get(a)?.collapsed);
  const frames = graph.groups
    .filter((g) => !g.collapsed && !isHidden(g))
    .map((g) => ({ group: g, depth: ancestors(graph, g.id).length - 1 }))
    .sort((a, b) => b.depth - a.depth);
  const rects = new Map<string, Rect>();
  const childrenOf = (g: string) => {
    const out: Rect[] = [];
    for (const n of graph.nodes) if (n.parent === g && boxes.has(n.id)) out.push(boxes.get(n.id)!);
    for (const c of graph.groups)
      if (c.parent === g) {
        const r = rects.get(c.id) ?? boxes.get(c.id);
        if (r) out.push(r);
      }
    return out;
  };
  const result: FrameRect[] = [];
  for (const { group, depth } of frames) {
    const inside = childrenOf(group.id);
    if (inside.length === 0) continue;
    const left = Math.min(...inside.map((r) => r.x));
    const top = Math.min(...inside.map((r) => r.y));
    const right = Math.max(...inside.map((r) => r.x + r.width));
    const bottom = Math.max(...inside.map((r) => r.y + r.height));
    const rect = {
      x: left - FRAME_PADDING.side,
      y: top - FRAME_PADDING.top,
      width: right - left + FRAME_PADDING.side * 2,
      height: bottom - top + FRAME_PADDING.top + FRAME_PADDING.bottom,
    };
    rects.set(group.id, rect);
    result.push({ ...rect, group, depth });
  }
  // Outer frames first, so they are drawn below inner ones.
  return result.reverse();
}
