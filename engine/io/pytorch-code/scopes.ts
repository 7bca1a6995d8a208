// The graph as PyTorch code sees it: per module (the model, each group), its steps, inputs and outputs.

import type { Analysis } from '../../graph/analyze.ts';
import type { ModuleTreeNode } from '../../graph/modules.ts';
import type { Graph, GraphGroup, GraphNode } from '../../graph/types.ts';
import { layerDef } from '../../layers/registry.ts';
import type { Params } from '../../layers/types.ts';

/**
 * One statement of a forward: a child module called on values, or an Add / Concat done with `+` /
 * `torch.cat`. Values are named by the id of the graph node that produces them.
 */
export interface Step {
  child: ModuleTreeNode;
  kind: 'layer' | 'group' | 'add' | 'concat';
  /** Values read, in argument order (ports for a layer, the group's inputs for a group). */
  inputs: string[];
  /** Values made: the layer's output, or the group's outputs. */
  outputs: string[];
}

/** A module with a forward: the model itself (id '') or a group. */
export interface Scope {
  tree: ModuleTreeNode;
  /** Children in registration order; Input and Output nodes are not steps (they belong to the model). */
  steps: Step[];
  /** Values from outside that the steps read, in the order the forward takes them. */
  inputs: string[];
  /** Values made inside that are read outside, in the order the forward returns them. */
  outputs: string[];
}

export interface Dataflow {
  graph: Graph;
  analysis: Analysis;
  scopes: Map<string, Scope>;
  nodes: Map<string, GraphNode>;
  groups: Map<string, GraphGroup>;
  /** Resolved parameters per node, with `inplace` turned off where an in-place op would change a shared tensor. */
  params: Map<string, Params>;
  /** Nodes the graph marks in-place that the export runs out of place (see sharesMemory). */
  notInPlace: Set<string>;
  /** Input nodes, whose outputs the model's forward takes as arguments. */
  inputNodes: GraphNode[];
  /** Output nodes, whose inputs the model's forward returns. */
  outputNodes: GraphNode[];
}

const isEnd = (node: GraphNode) => node.kind === 'Input' || node.kind === 'Output';

export function dataflow(graph: Graph, analysis: Analysis): Dataflow {
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  const groups = new Map(graph.groups.map((g) => [g.id, g]));
  const position = new Map(graph.nodes.map((n, i) => [n.id, i]));
  // NOTE: Input and Output nodes belong to the model whatever group they sit in: they are its arguments and results.
  const ancestors = new Map<string, string[]>();
  for (const node of graph.nodes) {
    const chain: string[] = [];
    if (!isEnd(node))
      for (let g = node.parent; g !== undefined && !chain.includes(g); g = groups.get(g)?.parent)
        chain.push(g);
    ancestors.set(node.id, chain);
  }

  const inputsOf = new Map<string, Map<string, number>>();
  const outputsOf = new Map<string, Map<string, number>>();
  const note = (table: Map<string, Map<string, number>>, group: string, value: string, order: number) => {
    const entries = table.get(group) ?? new Map<string, number>();
    entries.set(value, Math.min(entries.get(value) ?? order, order));
    table.set(group, entries);
  };
  const incoming = new Map<string, { source: string; port: number }[]>();
  for (const edge of graph.edges) {
    const list = incoming.get(edge.target) ?? [];
    list.push({ source: edge.source, port: edge.port });
    incoming.set(edge.target, list);
    const from = ancestors.get(edge.source)!;
    const to = ancestors.get(edge.target)!;
    for (const g of to)
      if (!from.includes(g)) note(inputsOf, g, edge.source, position.get(edge.target)! * 64 + edge.port);
    for (const g of from) if (!to.includes(g)) note(outputsOf, g, edge.source, position.get(edge.source)!);
  }
  const ordered = (entries: Map<string, number> | undefined) =>
    [...(entries ?? [])].sort((a, b) => a[1] - b[1]).map(([value]) => value);
  const sourcesOf = (id: string) =>
    [...(incoming.get(id) ?? [])].sort((a, b) => a.port - b.port).map((e) => e.source);

  const inputNodes = graph.nodes.filter((n) => n.kind === 'Input');
  const outputNodes = graph.nodes.filter((n) => n.kind === 'Output');
  const scopes = new Map<string, Scope>();
  const build = (tree: ModuleTreeNode): Scope => {
    const steps: Step[] = [];
    for (const child of tree.children) {
      if (child.type === 'group') {
        const inner = build(child);
        steps.push({ child, kind: 'group', inputs: inner.inputs, outputs: inner.outputs });
        continue;
      }
      const node = nodes.get(child.id)!;
      if (isEnd(node)) continue;
      const kind = node.kind === 'Add' ? 'add' : node.kind === 'Concat' ? 'concat' : 'layer';
      steps.push({ child, kind, inputs: sourcesOf(node.id), outputs: [node.id] });
    }
    const scope: Scope =
      tree.type === 'root'
        ? {
            tree,
            steps,
            inputs: inputNodes.map((n) => n.id),
            outputs: modelOutputs(graph, outputNodes, sourcesOf),
          }
        : { tree, steps, inputs: ordered(inputsOf.get(tree.id)), outputs: ordered(outputsOf.get(tree.id)) };
    scopes.set(tree.id, scope);
    return scope;
  };
  build(analysis.tree);

  const params = new Map<string, Params>();
  const notInPlace = new Set<string>();
  for (const node of graph.nodes) params.set(node.id, analysis.nodes.get(node.id)?.resolved ?? node.params);
  for (const node of graph.nodes)
    if (params.get(node.id)!.inplace === true && sharesMemory(node, graph, nodes, sourcesOf)) {
      params.set(node.id, { ...params.get(node.id)!, inplace: false });
      notInPlace.add(node.id);
    }
  return { graph, analysis, scopes, nodes, groups, params, notInPlace, inputNodes, outputNodes };
}

/** What the model returns: the values fed to Output nodes, or, with none, the values nothing reads. */
function modelOutputs(graph: Graph, outputs: GraphNode[], sourcesOf: (id: string) => string[]): string[] {
  if (outputs.length > 0) return [...new Set(outputs.flatMap((n) => sourcesOf(n.id)))];
  const read = new Set(graph.edges.map((e) => e.source));
  return graph.nodes.filter((n) => n.kind !== 'Input' && !read.has(n.id)).map((n) => n.id);
}

/**
 * Would an in-place op on `node`'s input change a tensor something else reads? The input shares memory with
 * every view (Flatten, Reshape) of the same tensor, so all their readers count.
 * NOTE: the editor computes each node's output afresh; in-place is only a memory hint there, so the export
 * turns it off where PyTorch would give another result.
 */
function sharesMemory(
  node: GraphNode,
  graph: Graph,
  nodes: Map<string, GraphNode>,
  sourcesOf: (id: string) => string[],
): boolean {
  const isView = (id: string) =>
    layerDef(nodes.get(id)!.kind)?.view === true && nodes.get(id)!.kind !== 'Output';
  let root = sourcesOf(node.id)[0];
  if (root === undefined) return false;
  while (isView(root) && sourcesOf(root)[0] !== undefined) root = sourcesOf(root)[0]!;
  const storage = new Set([root]);
  let readers = 0;
  for (let grew = true; grew; ) {
    grew = false;
    for (const edge of graph.edges)
      if (storage.has(edge.source) && isView(edge.target) && !storage.has(edge.target)) {
        storage.add(edge.target);
        grew = true;
      }
  }
  for (const edge of graph.edges) if (storage.has(edge.source) && !storage.has(edge.target)) readers++;
  return readers > 1;
}
