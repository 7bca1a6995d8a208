// A deterministic left-to-right layered layout: rank = longest path from a source, nodes spread down each rank.

import type { Graph } from './types.ts';

export interface LayoutOptions {
  /** Horizontal distance between ranks (ports are left-in, right-out). */
  rankSpacing?: number;
  /** Vertical distance between nodes of one rank. */
  nodeSpacing?: number;
}

/**
 * Places every node: x = rank x rankSpacing, where rank is the longest path from an Input (or any node with
 * no inputs); nodes sharing a rank sit near the mean y of what feeds them (so branches run straight), ordered
 * by that mean and then by their order in the graph, at least nodeSpacing apart. Pure; O(E + N log N). Nodes
 * on a cycle are ranked one past their ranked inputs.
 */
export function layeredLayout(
  graph: Graph,
  { rankSpacing = 240, nodeSpacing = 110 }: LayoutOptions = {},
): Record<string, { x: number; y: number }> {
  const index = new Map(graph.nodes.map((n, i) => [n.id, i]));
  const predecessors = new Map<string, string[]>();
  const successors = new Map<string, string[]>();
  const pending = new Map<string, number>();
  for (const node of graph.nodes) {
    predecessors.set(node.id, []);
    successors.set(node.id, []);
    pending.set(node.id, 0);
  }
  for (const edge of graph.edges) {
    if (!index.has(edge.source) || !index.has(edge.target) || edge.source === edge.target) continue;
    predecessors.get(edge.target)!.push(edge.source);
    successors.get(edge.source)!.push(edge.target);
    pending.set(edge.target, pending.get(edge.target)! + 1);
  }

  // Longest path by Kahn's order; nodes left on a cycle are ranked afterwards, one past their ranked inputs.
  const rank = new Map<string, number>();
  const order: string[] = [];
  for (const node of graph.nodes) if (pending.get(node.id) === 0) order.push(node.id);
  for (let i = 0; i < order.length; i++) {
    const id = order[i]!;
    if (!rank.has(id)) rank.set(id, 0);
    for (const next of successors.get(id)!) {
      rank.set(next, Math.max(rank.get(next) ?? 0, rank.get(id)! + 1));
      const left = pending.get(next)! - 1;
      pending.set(next, left);
      if (left === 0) order.push(next);
    }
  }
  for (const node of graph.nodes)
    if (pending.get(node.id)! > 0) {
      order.push(node.id);
      rank.set(node.id, rank.get(node.id) ?? 0);
    }

  // Stack each rank, in rank order, so a node's inputs already have their y: each node wants the mean y of
  // its inputs; overlaps are pushed apart by nodeSpacing and the rank is shifted back to the wanted centre.
  const ranks: string[][] = [];
  for (const id of order) {
    const r = rank.get(id)!;
    ranks[r] = ranks[r] ?? [];
    ranks[r].push(id);
  }
  const positions: Record<string, { x: number; y: number }> = {};
  ranks.forEach((members, r) => {
    const wanted = new Map<string, number>();
    for (const id of members) {
      const placed = predecessors.get(id)!.filter((p) => positions[p] !== undefined);
      wanted.set(id, placed.length ? placed.reduce((s, p) => s + positions[p]!.y, 0) / placed.length : 0);
    }
    const sorted = [...members].sort(
      (a, b) => wanted.get(a)! - wanted.get(b)! || index.get(a)! - index.get(b)!,
    );
    const ys: number[] = [];
    sorted.forEach((id, i) => {
      ys.push(i === 0 ? wanted.get(id)! : Math.max(wanted.get(id)!, ys[i - 1]! + nodeSpacing));
    });
    const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;
    const shift = mean(sorted.map((id) => wanted.get(id)!)) - mean(ys);
    sorted.forEach((id, i) => {
      positions[id] = { x: r * rankSpacing, y: Math.round(ys[i]! + shift) };
    });
  });
  return positions;
}
