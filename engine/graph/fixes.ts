// Turns a layer's proposed fix into graph edits, and proposes the shortcut projection for a residual Add.

import { defaultParams } from '../layers/params.ts';
import { requireLayer } from '../layers/registry.ts';
import type { LayerFix, Shape } from '../layers/types.ts';
import type { GraphEdit } from './edits.ts';
import { defaultName, uniqueId } from './modules.ts';
import type { Fix } from './problem.ts';
import type { Graph, GraphEdge, GraphNode } from './types.ts';

/**
 * Edits that put a chain of new layers on `edge` (source -> new layers -> target), inside the target's module.
 * New nodes are placed just before the target in module order.
 */
export function insertOnEdge(
  graph: Graph,
  edge: GraphEdge,
  layers: { kind: string; params?: GraphNode['params'] }[],
): GraphEdit[] {
  const target = graph.nodes.find((n) => n.id === edge.target);
  if (!target) return [];
  let index = graph.nodes.indexOf(target);
  const edits: GraphEdit[] = [{ type: 'removeEdge', id: edge.id }];
  let scratch: Graph = { ...graph, edges: graph.edges.filter((e) => e.id !== edge.id) };
  let previous = edge.source;
  for (const layer of layers) {
    const def = requireLayer(layer.kind);
    const node: GraphNode = {
      id: uniqueId(scratch, layer.kind.toLowerCase()),
      kind: layer.kind,
      name: defaultName(layer.kind, scratch, target.parent),
      params: { ...defaultParams(def.params), ...layer.params },
      ...(target.parent !== undefined ? { parent: target.parent } : {}),
    };
    scratch = { ...scratch, nodes: [...scratch.nodes, node] };
    edits.push({ type: 'addNode', node, index: index++ });
    const link: GraphEdge = {
      id: uniqueId(scratch, `e_${previous}_${node.id}`),
      source: previous,
      target: node.id,
      port: 0,
    };
    scratch = { ...scratch, edges: [...scratch.edges, link] };
    edits.push({ type: 'addEdge', edge: link });
    previous = node.id;
  }
  const last: GraphEdge = {
    id: uniqueId(scratch, `e_${previous}_${edge.target}`),
    source: previous,
    target: edge.target,
    port: edge.port,
  };
  edits.push({ type: 'addEdge', edge: last });
  return edits;
}

/** The graph-level form of a layer's fix for `node`, or undefined when it cannot be applied here. */
export function layerFixEdits(
  graph: Graph,
  node: GraphNode,
  fix: LayerFix,
  inputEdges: GraphEdge[],
): Fix | undefined {
  switch (fix.kind) {
    case 'setParam':
      return {
        label: fix.label,
        edits: [{ type: 'setParams', id: node.id, params: { [fix.param]: fix.value } }],
      };
    case 'insertBefore': {
      const edge = inputEdges[0];
      if (!edge) return undefined;
      return {
        label: fix.label,
        edits: insertOnEdge(graph, edge, [
          { kind: fix.layer, ...(fix.params ? { params: fix.params } : {}) },
        ]),
      };
    }
    case 'setSourceParam': {
      const edge = inputEdges[fix.input];
      const source = edge && graph.nodes.find((n) => n.id === edge.source);
      if (!source || source.kind !== fix.sourceKind) return undefined;
      return {
        label: fix.label,
        edits: [{ type: 'setParams', id: source.id, params: { [fix.param]: fix.value } }],
      };
    }
  }
}

/**
 * For an Add whose inputs differ: a 1x1 Conv2d (+ BatchNorm2d) on the shortcut, the input that comes from
 * earlier in the network, so its channels and size meet the other input's. Undefined when no stride fits.
 */
export function projectionFix(
  graph: Graph,
  inputEdges: GraphEdge[],
  shapes: readonly Shape[],
  order: Map<string, number>,
): Fix | undefined {
  if (inputEdges.length !== 2 || shapes.length !== 2) return undefined;
  const [a, b] = inputEdges as [GraphEdge, GraphEdge];
  const aFirst = (order.get(a.source) ?? 0) <= (order.get(b.source) ?? 0);
  const shortcut = aFirst ? a : b;
  const from = (aFirst ? shapes[0] : shapes[1])!;
  const to = (aFirst ? shapes[1] : shapes[0])!;
  if (from.length !== 3 || to.length !== 3) return undefined;
  const stride = Math.round(from[1]! / to[1]!);
  if (
    stride < 1 ||
    Math.floor((from[1]! - 1) / stride) + 1 !== to[1] ||
    Math.floor((from[2]! - 1) / stride) + 1 !== to[2]
  )
    return undefined;
  return {
    label: `Add a 1x1 projection (${from[0]} -> ${to[0]} channels${stride > 1 ? `, stride ${stride}` : ''}) on the shortcut`,
    edits: insertOnEdge(graph, shortcut, [
      {
        kind: 'Conv2d',
        params: {
          in_channels: from[0]!,
          out_channels: to[0]!,
          kernel_size: 1,
          stride,
          padding: 0,
          bias: false,
        },
      },
      { kind: 'BatchNorm2d', params: { num_features: to[0]! } },
    ]),
  };
}
