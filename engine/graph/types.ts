// The graph model: layer nodes, edges between ports, and named modules (groups) that nest.

import type { Params } from '../layers/types.ts';

/** One layer. `name` is its attribute name in its parent module; `parent` is the group it sits in. */
export interface GraphNode {
  id: string;
  kind: string;
  name: string;
  params: Params;
  parent?: string;
}

/** Data flows from `source`'s output into `target`'s input number `port` (Add and Concat have several). */
export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  port: number;
}

/**
 * A named composite module (a ResNet block, a Sequential, any user group). Groups nest through `parent`.
 * NOTE: the order of children inside a module (and so the `state_dict` order) is the order in which
 * their first layer appears in `Graph.nodes`, as modules are registered in a PyTorch `__init__`.
 */
export interface GraphGroup {
  id: string;
  name: string;
  parent?: string;
  collapsed?: boolean;
  /** The block preset this group was made from, with its parameters, if any. */
  block?: { kind: string; params: Params };
}

export interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  groups: GraphGroup[];
}

export function emptyGraph(): Graph {
  return { nodes: [], edges: [], groups: [] };
}
