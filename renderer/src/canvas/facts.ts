// Facts the canvas and panels derive from one analysis: problems by node, module parameter counts, ports.

import type { Analysis } from '../../../engine/graph/analyze.ts';
import type { Problem } from '../../../engine/graph/problem.ts';
import type { Graph, GraphNode } from '../../../engine/graph/types.ts';
import { withDefaults } from '../../../engine/layers/params.ts';
import { layerDef } from '../../../engine/layers/registry.ts';
import { shapeText } from '../../../engine/layers/shapes.ts';
import type { Params, Shape } from '../../../engine/layers/types.ts';
import { groupAndDescendants } from '../store/structure.ts';

export interface Facts {
  /** Problems pinned to each node, group or edge id. */
  problemsOf: Map<string, Problem[]>;
  /** Trainable parameters inside each module (all depths). */
  groupParams: Map<string, number>;
  /** Number of layers inside each module (all depths). */
  groupLayers: Map<string, number>;
  /** Problems (errors) inside each module. */
  groupErrors: Map<string, number>;
  /** Module path (`layer1.0.conv1`) of every node and group. */
  paths: Map<string, string>;
}

const cache = new WeakMap<Analysis, Facts>();

/** Derived once per analysis (analyses are never mutated). */
export function factsOf(graph: Graph, analysis: Analysis): Facts {
  const known = cache.get(analysis);
  if (known) return known;
  const problemsOf = new Map<string, Problem[]>();
  const pin = (id: string | undefined, p: Problem) => {
    if (id === undefined) return;
    const list = problemsOf.get(id) ?? [];
    if (!list.includes(p)) list.push(p);
    problemsOf.set(id, list);
  };
  for (const p of analysis.problems) {
    pin(p.nodeId, p);
    pin(p.groupId, p);
    pin(p.edgeId, p);
  }
  const groupParams = new Map<string, number>();
  const groupLayers = new Map<string, number>();
  const groupErrors = new Map<string, number>();
  for (const g of graph.groups) {
    const inside = groupAndDescendants(graph, g.id);
    let params = 0;
    let layers = 0;
    let errors = 0;
    for (const n of graph.nodes)
      if (n.parent !== undefined && inside.has(n.parent)) {
        params += analysis.nodes.get(n.id)?.cost.params ?? 0;
        layers++;
        errors += (problemsOf.get(n.id) ?? []).filter((p) => p.severity === 'error').length;
      }
    groupParams.set(g.id, params);
    groupLayers.set(g.id, layers);
    groupErrors.set(g.id, errors);
  }
  const paths = new Map<string, string>();
  const walk = (t: Analysis['tree']) => {
    if (t.type !== 'root') paths.set(t.id, t.path);
    for (const c of t.children) walk(c);
  };
  walk(analysis.tree);
  const facts = { problemsOf, groupParams, groupLayers, groupErrors, paths };
  cache.set(analysis, facts);
  return facts;
}

/** Input ports to draw: one for single-input layers; Add and Concat get one free port past the last connected. */
export function inputPortCount(graph: Graph, node: GraphNode): number {
  const def = layerDef(node.kind);
  if (!def) return 1;
  if (def.arity.max <= 1) return def.arity.max;
  let highest = -1;
  for (const e of graph.edges) if (e.target === node.id) highest = Math.max(highest, e.port);
  return Math.min(def.arity.max, Math.max(def.arity.min, highest + 2));
}

/** The node's key parameters (`5x5 s1 p2, 6 ch`), from resolved parameters when the node is fine. */
export function describeNode(node: GraphNode, resolved: Params | undefined): string {
  const def = layerDef(node.kind);
  if (!def) return '';
  try {
    return def.describe(resolved ?? withDefaults(def.params, node.params));
  } catch {
    return '';
  }
}

/** Distinct shape texts, in order. */
export function shapeList(shapes: readonly (Shape | undefined)[]): string[] {
  const out: string[] = [];
  for (const s of shapes) {
    const text = s ? shapeText(s) : '?';
    if (!out.includes(text)) out.push(text);
  }
  return out;
}
