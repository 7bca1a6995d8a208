// State derived from the graph: its analysis (memoised per graph object) and what of a selection still exists.

import { type Analysis, analyze } from '../../../engine/graph/analyze.ts';
import type { Graph } from '../../../engine/graph/types.ts';

const analyses = new WeakMap<Graph, Analysis>();

/** analyze(graph), memoised on the graph object (graphs are never mutated). */
export function analysisOf(graph: Graph): Analysis {
  let a = analyses.get(graph);
  if (!a) {
    a = analyze(graph);
    analyses.set(graph, a);
  }
  return a;
}

/** The selection without ids that no longer exist. */
export function pruneSelection(graph: Graph, selection: readonly string[]): readonly string[] {
  const known = new Set<string>([
    ...graph.nodes.map((n) => n.id),
    ...graph.groups.map((g) => g.id),
    ...graph.edges.map((e) => e.id),
  ]);
  const kept = selection.filter((id) => known.has(id));
  return kept.length === selection.length ? selection : kept;
}
