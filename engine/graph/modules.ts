// The module tree (PyTorch's modules() / children()) derived from groups, and module paths.

import type { Graph, GraphGroup, GraphNode } from './types.ts';

export interface ModuleTreeNode {
  /** Node or group id; '' for the root. */
  id: string;
  type: 'root' | 'group' | 'layer';
  name: string;
  /** Dotted path from the root, e.g. `layer1.0.conv1`; '' for the root. */
  path: string;
  children: ModuleTreeNode[];
}

/** Builds the tree; children in registration order (first appearance of their layers in `graph.nodes`). */
export function moduleTree(graph: Graph): ModuleTreeNode {
  const root: ModuleTreeNode = { id: '', type: 'root', name: '', path: '', children: [] };
  const groupsById = new Map<string, GraphGroup>(graph.groups.map((g) => [g.id, g]));
  const treeOf = new Map<string, ModuleTreeNode>();
  const placing = new Set<string>();

  const place = (group: GraphGroup | undefined): ModuleTreeNode => {
    if (!group) return root;
    const known = treeOf.get(group.id);
    if (known) return known;
    if (placing.has(group.id)) return root; // a parent cycle: validation reports it; hang it on the root
    placing.add(group.id);
    const parentTree = place(group.parent !== undefined ? groupsById.get(group.parent) : undefined);
    const path = parentTree.path ? `${parentTree.path}.${group.name}` : group.name;
    const tree: ModuleTreeNode = { id: group.id, type: 'group', name: group.name, path, children: [] };
    parentTree.children.push(tree);
    treeOf.set(group.id, tree);
    return tree;
  };

  for (const node of graph.nodes) {
    const parentTree = place(node.parent !== undefined ? groupsById.get(node.parent) : undefined);
    const path = parentTree.path ? `${parentTree.path}.${node.name}` : node.name;
    parentTree.children.push({ id: node.id, type: 'layer', name: node.name, path, children: [] });
  }
  // Groups without layers still belong to the tree, at the end of their parent.
  for (const group of graph.groups) place(group);
  return root;
}

/** Every module path by node and group id. */
export function modulePaths(graph: Graph): Map<string, string> {
  const paths = new Map<string, string>();
  const walk = (t: ModuleTreeNode) => {
    if (t.type !== 'root') paths.set(t.id, t.path);
    for (const c of t.children) walk(c);
  };
  walk(moduleTree(graph));
  return paths;
}

const KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(
    ' ',
  ),
);

/** Attributes every nn.Module already has: a child with one of these names cannot be registered. */
const MODULE_ATTRIBUTES = new Set(
  'training forward parameters named_parameters buffers named_buffers children named_children modules named_modules state_dict load_state_dict to cuda cpu eval train apply float double half type zero_grad register_buffer register_parameter add_module extra_repr requires_grad_ share_memory'.split(
    ' ',
  ),
);

/** Why `name` cannot be a module attribute name, or null if it can. Digit names are Sequential indices. */
export function nameProblem(name: string): string | null {
  if (name.length === 0) return 'A name cannot be empty.';
  if (/^(0|[1-9][0-9]*)$/.test(name)) return null;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    return `"${name}" is not a valid Python identifier: use letters, digits and underscores, not starting with a digit (or a plain index like 0 inside a Sequential).`;
  if (KEYWORDS.has(name)) return `"${name}" is a Python keyword and cannot be an attribute name.`;
  if (MODULE_ATTRIBUTES.has(name)) return `"${name}" is already an attribute of every nn.Module.`;
  return null;
}

export function isIndexName(name: string): boolean {
  return /^(0|[1-9][0-9]*)$/.test(name);
}

/** `base`, or `base_1`, `base_2`, ... : the first name not taken among `taken`. */
export function uniqueName(base: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  if (!used.has(base)) return base;
  for (let i = 1; ; i++) if (!used.has(`${base}_${i}`)) return `${base}_${i}`;
}

/** Names already used by the children of `parent` (layers and groups share one namespace). */
export function siblingNames(graph: Graph, parent: string | undefined): string[] {
  const names: string[] = [];
  for (const n of graph.nodes) if (n.parent === parent) names.push(n.name);
  for (const g of graph.groups) if (g.parent === parent) names.push(g.name);
  return names;
}

/** A fresh id with the given prefix that no node, edge or group uses yet. */
export function uniqueId(graph: Graph, prefix: string): string {
  const used = new Set<string>();
  for (const n of graph.nodes) used.add(n.id);
  for (const e of graph.edges) used.add(e.id);
  for (const g of graph.groups) used.add(g.id);
  if (!used.has(prefix)) return prefix;
  for (let i = 1; ; i++) if (!used.has(`${prefix}_${i}`)) return `${prefix}_${i}`;
}

/** A default name for a new layer of `kind`: lower-case kind, made unique among siblings. */
export function defaultName(kind: string, graph: Graph, parent: string | undefined): string {
  // NOTE: 'ReLU' is one word to a reader ('relu', 'leaky_relu'), not 're_lu'.
  const base = kind
    .replace('ReLU', 'Relu')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
  return uniqueName(base, siblingNames(graph, parent));
}

export type { GraphNode };
