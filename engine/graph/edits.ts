// Every change to a graph is one of these data objects, applied by one function that also returns its inverse.

import type { ParamValue } from '../layers/types.ts';
import type { Graph, GraphEdge, GraphGroup, GraphNode } from './types.ts';

export type GraphEdit =
  /** Insert a node; `index` places it in `graph.nodes` (module order); default: the end. */
  | { type: 'addNode'; node: GraphNode; index?: number }
  /** Remove a node; its edges must be removed first (by edits of their own, so undo restores them). */
  | { type: 'removeNode'; id: string }
  /** Set (or, with `undefined`, clear) parameters of a node. */
  | { type: 'setParams'; id: string; params: Record<string, ParamValue | undefined> }
  /** Rename a node or a group. */
  | { type: 'rename'; id: string; name: string }
  | { type: 'addEdge'; edge: GraphEdge; index?: number }
  | { type: 'removeEdge'; id: string }
  | { type: 'addGroup'; group: GraphGroup; index?: number }
  /** Remove a group; it must have no children left. */
  | { type: 'removeGroup'; id: string }
  /** Move a node or a group into another group (or the root, with `undefined`). */
  | { type: 'setParent'; id: string; parent: string | undefined }
  /** Collapse or expand a group; `undefined` clears the flag (what undo restores on a group that never had it). */
  | { type: 'setCollapsed'; id: string; collapsed: boolean | undefined }
  /** Move a node to another place in `graph.nodes`, which changes module order. */
  | { type: 'moveNode'; id: string; index: number };

export class EditError extends Error {
  override name = 'EditError';
}

function indexOf<T extends { id: string }>(list: readonly T[], id: string, what: string): number {
  const i = list.findIndex((x) => x.id === id);
  if (i < 0) throw new EditError(`no ${what} with id "${id}"`);
  return i;
}

function insertAt<T>(list: readonly T[], item: T, index: number | undefined): T[] {
  const out = [...list];
  out.splice(index === undefined ? out.length : Math.max(0, Math.min(index, out.length)), 0, item);
  return out;
}

function withoutParent<T extends { parent?: string }>(item: T, parent: string | undefined): T {
  const copy = { ...item };
  if (parent === undefined) delete copy.parent;
  else copy.parent = parent;
  return copy;
}

/** Applies one edit; returns the new graph (the old one is untouched) and the edit that undoes it. */
export function applyEdit(graph: Graph, edit: GraphEdit): { graph: Graph; inverse: GraphEdit } {
  switch (edit.type) {
    case 'addNode': {
      if (graph.nodes.some((n) => n.id === edit.node.id))
        throw new EditError(`node id "${edit.node.id}" already exists`);
      return {
        graph: { ...graph, nodes: insertAt(graph.nodes, edit.node, edit.index) },
        inverse: { type: 'removeNode', id: edit.node.id },
      };
    }
    case 'removeNode': {
      const i = indexOf(graph.nodes, edit.id, 'node');
      if (graph.edges.some((e) => e.source === edit.id || e.target === edit.id))
        throw new EditError(`node "${edit.id}" still has edges; remove them first`);
      const node = graph.nodes[i]!;
      return {
        graph: { ...graph, nodes: graph.nodes.filter((_, k) => k !== i) },
        inverse: { type: 'addNode', node, index: i },
      };
    }
    case 'setParams': {
      const i = indexOf(graph.nodes, edit.id, 'node');
      const node = graph.nodes[i]!;
      const params: Record<string, ParamValue> = { ...node.params };
      const previous: Record<string, ParamValue | undefined> = {};
      for (const [key, value] of Object.entries(edit.params)) {
        previous[key] = key in node.params ? node.params[key] : undefined;
        if (value === undefined) delete params[key];
        else params[key] = value;
      }
      const nodes = [...graph.nodes];
      nodes[i] = { ...node, params };
      return { graph: { ...graph, nodes }, inverse: { type: 'setParams', id: edit.id, params: previous } };
    }
    case 'rename': {
      const ni = graph.nodes.findIndex((n) => n.id === edit.id);
      if (ni >= 0) {
        const nodes = [...graph.nodes];
        const old = nodes[ni]!;
        nodes[ni] = { ...old, name: edit.name };
        return { graph: { ...graph, nodes }, inverse: { type: 'rename', id: edit.id, name: old.name } };
      }
      const gi = indexOf(graph.groups, edit.id, 'node or group');
      const groups = [...graph.groups];
      const old = groups[gi]!;
      groups[gi] = { ...old, name: edit.name };
      return { graph: { ...graph, groups }, inverse: { type: 'rename', id: edit.id, name: old.name } };
    }
    case 'addEdge': {
      const { edge } = edit;
      if (graph.edges.some((e) => e.id === edge.id))
        throw new EditError(`edge id "${edge.id}" already exists`);
      return {
        graph: { ...graph, edges: insertAt(graph.edges, edge, edit.index) },
        inverse: { type: 'removeEdge', id: edge.id },
      };
    }
    case 'removeEdge': {
      const i = indexOf(graph.edges, edit.id, 'edge');
      return {
        graph: { ...graph, edges: graph.edges.filter((_, k) => k !== i) },
        inverse: { type: 'addEdge', edge: graph.edges[i]!, index: i },
      };
    }
    case 'addGroup': {
      if (graph.groups.some((g) => g.id === edit.group.id))
        throw new EditError(`group id "${edit.group.id}" already exists`);
      return {
        graph: { ...graph, groups: insertAt(graph.groups, edit.group, edit.index) },
        inverse: { type: 'removeGroup', id: edit.group.id },
      };
    }
    case 'removeGroup': {
      const i = indexOf(graph.groups, edit.id, 'group');
      if (graph.nodes.some((n) => n.parent === edit.id) || graph.groups.some((g) => g.parent === edit.id))
        throw new EditError(`group "${edit.id}" still has children; move them out first`);
      return {
        graph: { ...graph, groups: graph.groups.filter((_, k) => k !== i) },
        inverse: { type: 'addGroup', group: graph.groups[i]!, index: i },
      };
    }
    case 'setParent': {
      if (edit.parent !== undefined) indexOf(graph.groups, edit.parent, 'group');
      const ni = graph.nodes.findIndex((n) => n.id === edit.id);
      if (ni >= 0) {
        const nodes = [...graph.nodes];
        const old = nodes[ni]!;
        nodes[ni] = withoutParent(old, edit.parent);
        return {
          graph: { ...graph, nodes },
          inverse: { type: 'setParent', id: edit.id, parent: old.parent },
        };
      }
      const gi = indexOf(graph.groups, edit.id, 'node or group');
      for (let p = edit.parent; p !== undefined; p = graph.groups.find((g) => g.id === p)?.parent)
        if (p === edit.id) throw new EditError(`group "${edit.id}" cannot be moved inside itself`);
      const groups = [...graph.groups];
      const old = groups[gi]!;
      groups[gi] = withoutParent(old, edit.parent);
      return { graph: { ...graph, groups }, inverse: { type: 'setParent', id: edit.id, parent: old.parent } };
    }
    case 'setCollapsed': {
      const gi = indexOf(graph.groups, edit.id, 'group');
      const groups = [...graph.groups];
      const old = groups[gi]!;
      const group = { ...old, collapsed: edit.collapsed };
      if (edit.collapsed === undefined) delete group.collapsed;
      groups[gi] = group;
      return {
        graph: { ...graph, groups },
        inverse: { type: 'setCollapsed', id: edit.id, collapsed: old.collapsed },
      };
    }
    case 'moveNode': {
      const i = indexOf(graph.nodes, edit.id, 'node');
      const nodes = graph.nodes.filter((_, k) => k !== i);
      nodes.splice(Math.max(0, Math.min(edit.index, nodes.length)), 0, graph.nodes[i]!);
      return { graph: { ...graph, nodes }, inverse: { type: 'moveNode', id: edit.id, index: i } };
    }
  }
}

/** Applies edits in order; the inverse list undoes them all (it is already in reverse order). */
export function applyEdits(
  graph: Graph,
  edits: readonly GraphEdit[],
): { graph: Graph; inverse: GraphEdit[] } {
  let current = graph;
  const inverse: GraphEdit[] = [];
  for (const edit of edits) {
    const result = applyEdit(current, edit);
    current = result.graph;
    inverse.unshift(result.inverse);
  }
  return { graph: current, inverse };
}
