// Builds graphs in code (templates, block presets, tests): layers added in module order, groups by nesting.

import { defaultParams } from '../layers/params.ts';
import { requireLayer } from '../layers/registry.ts';
import type { Params } from '../layers/types.ts';
import { defaultName, siblingNames, uniqueName } from './modules.ts';
import type { Graph, GraphGroup, GraphNode } from './types.ts';

export class GraphBuilder {
  readonly graph: Graph = { nodes: [], edges: [], groups: [] };
  private parent: GraphGroup | undefined;
  private readonly ids = new Set<string>();

  /** The path of the current group, used as the prefix of new ids. */
  private prefix(): string {
    const names: string[] = [];
    for (let g = this.parent; g; g = this.graph.groups.find((x) => x.id === g!.parent)) names.unshift(g.name);
    return names.join('.');
  }

  private freshId(base: string): string {
    let id = base;
    for (let i = 1; this.ids.has(id); i++) id = `${base}~${i}`;
    this.ids.add(id);
    return id;
  }

  /**
   * Adds a layer fed by `inputs` (node ids, in port order) and returns its id. Parameters not given take
   * the registry's defaults; the name defaults to the kind in snake case, made unique among siblings.
   */
  layer(kind: string, params: Params, inputs: readonly string[] = [], name?: string): string {
    const def = requireLayer(kind);
    const parentId = this.parent?.id;
    const finalName = name ?? defaultName(kind, this.graph, parentId);
    const prefix = this.prefix();
    const node: GraphNode = {
      id: this.freshId(prefix ? `${prefix}.${finalName}` : finalName),
      kind,
      name: finalName,
      params: { ...defaultParams(def.params), ...params },
      ...(parentId !== undefined ? { parent: parentId } : {}),
    };
    this.graph.nodes.push(node);
    inputs.forEach((source, port) => {
      this.connect(source, node.id, port);
    });
    return node.id;
  }

  connect(source: string, target: string, port = 0): void {
    this.graph.edges.push({ id: this.freshId(`${source}->${target}:${port}`), source, target, port });
  }

  /** Runs `body` inside a new group called `name`; returns what `body` returns. */
  group<T>(name: string, body: () => T, block?: GraphGroup['block']): T {
    const parentId = this.parent?.id;
    const prefix = this.prefix();
    const group: GraphGroup = {
      id: this.freshId(`${prefix ? `${prefix}.` : ''}${name}/`),
      name: uniqueName(name, siblingNames(this.graph, parentId)),
      ...(parentId !== undefined ? { parent: parentId } : {}),
      ...(block ? { block } : {}),
    };
    this.graph.groups.push(group);
    const outer = this.parent;
    this.parent = group;
    try {
      return body();
    } finally {
      this.parent = outer;
    }
  }

  /** A chain of layers inside an nn.Sequential-style group named `name`, children named 0, 1, 2, ... */
  sequential(name: string, input: string, layers: readonly [kind: string, params: Params][]): string {
    return this.group(name, () => {
      let x = input;
      layers.forEach(([kind, params], i) => {
        x = this.layer(kind, params, [x], String(i));
      });
      return x;
    });
  }
}
