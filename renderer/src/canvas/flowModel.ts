// Graph + analysis + layout -> React Flow nodes and edges. React Flow only draws; the store owns the model.

import type { Edge, Node } from '@xyflow/react';
import type { Analysis, NodeInfo } from '../../../engine/graph/analyze.ts';
import type { Problem } from '../../../engine/graph/problem.ts';
import type { Graph, GraphGroup, GraphNode } from '../../../engine/graph/types.ts';
import { shapeText } from '../../../engine/layers/shapes.ts';
import { representatives } from '../store/structure.ts';
import { NODE_SIZE } from '../store/structureEdits.ts';
import type { Layout, XY } from '../store/types.ts';
import { factsOf, inputPortCount, shapeList } from './facts.ts';
import { computeFrames, type Rect } from './frames.ts';

export interface LayerData extends Record<string, unknown> {
  node: GraphNode;
  info: NodeInfo | undefined;
  problems: Problem[];
  inputPorts: number;
  hasOutput: boolean;
}

export interface CollapsedData extends Record<string, unknown> {
  group: GraphGroup;
  inputs: string[];
  outputs: string[];
  params: number;
  layers: number;
  errors: number;
}

export interface FrameData extends Record<string, unknown> {
  group: GraphGroup;
  params: number;
  errors: number;
  depth: number;
}

export interface ShapeEdgeData extends Record<string, unknown> {
  label: string;
  /** The problem about this edge, when it carries a shape that does not fit. */
  problem: Problem | undefined;
}

export type LayerFlowNode = Node<LayerData, 'layer'>;
export type CollapsedFlowNode = Node<CollapsedData, 'collapsed'>;
export type FrameFlowNode = Node<FrameData, 'frame'>;
export type FlowNode = LayerFlowNode | CollapsedFlowNode | FrameFlowNode;
export type ShapeFlowEdge = Edge<ShapeEdgeData, 'shape'>;

export type Sizes = ReadonlyMap<string, { width: number; height: number }>;

const dataCache = new Map<string, { key: unknown[]; data: LayerData }>();

/** Reuses the data object when nothing it shows changed, so unchanged nodes do not re-render. */
function layerData(
  graph: Graph,
  node: GraphNode,
  info: NodeInfo | undefined,
  problems: Problem[],
): LayerData {
  const inputPorts = inputPortCount(graph, node);
  const hasOutput = node.kind !== 'Output';
  const key = [node, info, inputPorts, ...problems];
  const cached = dataCache.get(node.id);
  if (cached && cached.key.length === key.length && cached.key.every((k, i) => k === key[i]))
    return cached.data;
  const data = { node, info, problems, inputPorts, hasOutput };
  dataCache.set(node.id, { key, data });
  return data;
}

/** Layer nodes and collapsed modules, where the layout (or a drag in progress) puts them. */
export function buildNodes(
  graph: Graph,
  analysis: Analysis,
  layout: Layout,
  selection: ReadonlySet<string>,
  sizes: Sizes,
): (LayerFlowNode | CollapsedFlowNode)[] {
  const facts = factsOf(graph, analysis);
  const reps = representatives(graph);
  const out: (LayerFlowNode | CollapsedFlowNode)[] = [];
  const at = (id: string): XY => layout[id] ?? { x: 0, y: 0 };
  const measured = (id: string) => sizes.get(id);
  for (const node of graph.nodes) {
    if (reps.get(node.id) !== node.id) continue;
    const size = measured(node.id);
    out.push({
      id: node.id,
      type: 'layer',
      position: at(node.id),
      data: layerData(graph, node, analysis.nodes.get(node.id), facts.problemsOf.get(node.id) ?? []),
      selected: selection.has(node.id),
      ...(size ? { measured: size } : {}),
    });
  }
  const collapsed = new Set([...reps.values()].filter((id) => !analysis.nodes.has(id)));
  for (const g of graph.groups) {
    if (!collapsed.has(g.id)) continue;
    const inside = new Set([...reps].filter(([, rep]) => rep === g.id).map(([id]) => id));
    const inputs = graph.edges.filter((e) => inside.has(e.target) && !inside.has(e.source));
    const outputs = graph.edges.filter((e) => inside.has(e.source) && !inside.has(e.target));
    const size = measured(g.id);
    out.push({
      id: g.id,
      type: 'collapsed',
      position: at(g.id),
      data: {
        group: g,
        inputs: shapeList(inputs.map((e) => analysis.edges.get(e.id))),
        outputs: shapeList(outputs.map((e) => analysis.edges.get(e.id))),
        params: facts.groupParams.get(g.id) ?? 0,
        layers: facts.groupLayers.get(g.id) ?? 0,
        errors: facts.groupErrors.get(g.id) ?? 0,
      },
      selected: selection.has(g.id),
      ...(size ? { measured: size } : {}),
    });
  }
  return out;
}

/** Frames around expanded modules, from the boxes of the nodes drawn now. */
export function buildFrames(
  graph: Graph,
  analysis: Analysis,
  nodes: readonly (LayerFlowNode | CollapsedFlowNode)[],
  selection: ReadonlySet<string>,
): FrameFlowNode[] {
  if (graph.groups.length === 0) return [];
  const facts = factsOf(graph, analysis);
  const boxes = new Map<string, Rect>();
  for (const n of nodes)
    boxes.set(n.id, {
      x: n.position.x,
      y: n.position.y,
      width: n.measured?.width ?? NODE_SIZE.width,
      height: n.measured?.height ?? NODE_SIZE.height,
    });
  return computeFrames(graph, boxes).map((f) => ({
    id: f.group.id,
    type: 'frame',
    position: { x: f.x, y: f.y },
    width: f.width,
    height: f.height,
    measured: { width: f.width, height: f.height },
    zIndex: -100 + f.depth,
    selected: selection.has(f.group.id),
    style: { pointerEvents: 'none' },
    data: {
      group: f.group,
      params: facts.groupParams.get(f.group.id) ?? 0,
      errors: facts.groupErrors.get(f.group.id) ?? 0,
      depth: f.depth,
    },
  }));
}

/** One drawn edge per graph edge between visible things; edges inside a collapsed module disappear. */
export function buildEdges(
  graph: Graph,
  analysis: Analysis,
  selection: ReadonlySet<string>,
): ShapeFlowEdge[] {
  const facts = factsOf(graph, analysis);
  const reps = representatives(graph);
  const out: ShapeFlowEdge[] = [];
  const seen = new Set<string>();
  for (const e of graph.edges) {
    const source = reps.get(e.source);
    const target = reps.get(e.target);
    if (!source || !target || source === target) continue;
    const grouped = source !== e.source || target !== e.target;
    const key = `${source}>${target}:${grouped ? 'g' : e.port}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const shape = analysis.edges.get(e.id);
    const problem = facts.problemsOf.get(e.id)?.find((p) => p.severity === 'error');
    out.push({
      id: e.id,
      type: 'shape',
      source,
      target,
      sourceHandle: 'out',
      targetHandle: target === e.target ? `in-${e.port}` : 'in-0',
      selected: selection.has(e.id),
      data: { label: shape ? shapeText(shape) : '', problem },
      ...(problem ? { className: 'is-bad' } : {}),
    });
  }
  return out;
}
