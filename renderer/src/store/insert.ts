// Edits that add a new layer or a block preset, optionally fed by an existing node.

import type { Analysis } from '../../../engine/graph/analyze.ts';
import { blockDef } from '../../../engine/graph/blocks/registry.ts';
import { GraphBuilder } from '../../../engine/graph/builder.ts';
import type { GraphEdit } from '../../../engine/graph/edits.ts';
import { layeredLayout } from '../../../engine/graph/layout.ts';
import { defaultName, siblingNames, uniqueId, uniqueName } from '../../../engine/graph/modules.ts';
import type { Graph, GraphGroup, GraphNode } from '../../../engine/graph/types.ts';
import { defaultParams } from '../../../engine/layers/params.ts';
import { layerDef } from '../../../engine/layers/registry.ts';
import type { Params } from '../../../engine/layers/types.ts';
import type { XY } from './types.ts';

export interface InsertResult {
  edits: GraphEdit[];
  layout: Record<string, XY>;
  /** What to select afterwards. */
  select: string[];
  /** A hint for the user, e.g. which inputs of a block still need an edge. */
  hint?: string;
}

/** Whether `source` can feed a new node: it exists and has an output port. */
function canFeed(graph: Graph, source: string | undefined): source is string {
  if (source === undefined) return false;
  return graph.nodes.some((n) => n.id === source && n.kind !== 'Output');
}

/** A new layer of `kind` at `at`, inside `parent`, fed by `from` when given. */
export function addLayerEdits(
  graph: Graph,
  kind: string,
  at: XY,
  options: { from?: string; parent?: string } = {},
): InsertResult | null {
  const def = layerDef(kind);
  if (!def) return null;
  const parent = options.parent;
  const name = defaultName(kind, graph, parent);
  const parentGroup = graph.groups.find((g) => g.id === parent);
  const id = uniqueId(graph, `${parentGroup ? parentGroup.id.replace(/\/$/, '.') : ''}${name}`);
  const node: GraphNode = {
    id,
    kind,
    name,
    params: defaultParams(def.params),
    ...(parent !== undefined ? { parent } : {}),
  };
  const edits: GraphEdit[] = [{ type: 'addNode', node }];
  if (def.arity.max > 0 && canFeed(graph, options.from)) {
    const edgeGraph: Graph = { ...graph, nodes: [...graph.nodes, node] };
    edits.push({
      type: 'addEdge',
      edge: {
        id: uniqueId(edgeGraph, `${options.from}->${id}:0`),
        source: options.from,
        target: id,
        port: 0,
      },
    });
  }
  return { edits, layout: { [id]: at }, select: [id] };
}

/**
 * A block preset as a new module at `at`. When `from` is given it feeds the block (and the block's
 * in_channels follow its output); otherwise the block's inputs stay open and the hint names them.
 */
export function addBlockEdits(
  graph: Graph,
  analysis: Analysis,
  kind: string,
  at: XY,
  options: { from?: string; params?: Params } = {},
): InsertResult | null {
  const block = blockDef(kind);
  if (!block) return null;
  const from = canFeed(graph, options.from) ? options.from : undefined;
  const arriving = from ? analysis.nodes.get(from)?.output : undefined;
  const params: Record<string, Params[string]> = { ...defaultParams(block.params), ...options.params };
  if (arriving && arriving.length === 3 && 'in_channels' in block.params) params.in_channels = arriving[0]!;

  const builder = new GraphBuilder();
  const entry = builder.layer(
    'Input',
    { shape: arriving ? [...arriving] : [Number(params.in_channels) || 3, 32, 32] },
    [],
    '__entry',
  );
  const name = uniqueName(kind.toLowerCase(), siblingNames(graph, undefined));
  block.build(builder, entry, params, name);
  const built = builder.graph;

  const used = new Set<string>([
    ...graph.nodes.map((n) => n.id),
    ...graph.edges.map((e) => e.id),
    ...graph.groups.map((g) => g.id),
  ]);
  const fresh = (base: string) => {
    let id = base;
    for (let i = 1; used.has(id); i++) id = `${base}_${i}`;
    used.add(id);
    return id;
  };
  const ids = new Map<string, string>();
  const edits: GraphEdit[] = [];
  for (const g of built.groups) {
    const id = fresh(g.id);
    ids.set(g.id, id);
    const group: GraphGroup = { ...g, id };
    if (g.parent !== undefined) group.parent = ids.get(g.parent)!;
    edits.push({ type: 'addGroup', group });
  }
  const inner = built.nodes.filter((n) => n.id !== entry);
  for (const n of inner) {
    const id = fresh(n.id);
    ids.set(n.id, id);
    const node: GraphNode = { ...n, id };
    if (n.parent !== undefined) node.parent = ids.get(n.parent)!;
    edits.push({ type: 'addNode', node });
  }
  const open: string[] = [];
  for (const e of built.edges) {
    const target = ids.get(e.target)!;
    const source = e.source === entry ? from : ids.get(e.source);
    if (source === undefined) {
      const t = inner.find((n) => n.id === e.target)!;
      open.push(e.port > 0 ? `${t.name} (input ${e.port + 1})` : t.name);
      continue;
    }
    edits.push({
      type: 'addEdge',
      edge: { id: fresh(`${source}->${target}:${e.port}`), source, target, port: e.port },
    });
  }

  const local = layeredLayout({
    ...built,
    nodes: inner,
    edges: built.edges.filter((e) => e.source !== entry),
  });
  const layout: Record<string, XY> = {};
  for (const [oldId, p] of Object.entries(local)) {
    const id = ids.get(oldId);
    if (id) layout[id] = { x: at.x + p.x, y: at.y + p.y };
  }
  const groupId = ids.get(built.groups[0]!.id)!;
  return {
    edits,
    layout,
    select: [groupId],
    ...(open.length ? { hint: `Connect the block's inputs: ${open.join(', ')}.` } : {}),
  };
}
