// Live validation: graph -> every node's input and output shapes, resolved parameters, costs and problems.

import { checkParams, withDefaults } from '../layers/params.ts';
import { layerDef } from '../layers/registry.ts';
import { shapeText } from '../layers/shapes.ts';
import type { Params, Shape, StateEntry } from '../layers/types.ts';
import { type Cost, nodeCost, sumCosts } from './cost.ts';
import { layerFixEdits, projectionFix } from './fixes.ts';
import { isIndexName, type ModuleTreeNode, moduleTree, nameProblem } from './modules.ts';
import { type Problem, problem, titleOf } from './problem.ts';
import type { Graph, GraphEdge, GraphNode } from './types.ts';

export interface NodeInfo {
  /** Shapes arriving at each input port, in port order (only when all inputs are known). */
  inputs: Shape[];
  /** Output shape; absent when the node or something before it has a problem. */
  output?: Shape;
  /** Parameters with defaults filled and `auto` resolved. */
  resolved?: Params;
  state: StateEntry[];
  cost: Cost;
}

export interface Analysis {
  /** Nodes in topological order (nodes on a cycle are left out). */
  order: string[];
  nodes: Map<string, NodeInfo>;
  /** Shape carried by each edge, where known. */
  edges: Map<string, Shape>;
  problems: Problem[];
  total: Cost;
  tree: ModuleTreeNode;
}

const noCost: Cost = { params: 0, buffers: 0, paramBytes: 0, activationBytes: 0, macs: 0 };

/** Runs every check. Pure and fast enough to rerun on every edit. */
export function analyze(graph: Graph): Analysis {
  const problems: Problem[] = [];
  const nodesById = new Map<string, GraphNode>();
  for (const node of graph.nodes) nodesById.set(node.id, node);
  const groupIds = new Set(graph.groups.map((g) => g.id));

  // Edges: each must join two nodes at a port that exists; one edge per input port.
  const incoming = new Map<string, GraphEdge[]>();
  const outgoing = new Map<string, GraphEdge[]>();
  for (const node of graph.nodes) {
    incoming.set(node.id, []);
    outgoing.set(node.id, []);
  }
  for (const edge of graph.edges) {
    const source = nodesById.get(edge.source);
    const target = nodesById.get(edge.target);
    if (!source || !target || !Number.isInteger(edge.port) || edge.port < 0) {
      problems.push(
        problem('badEdge', {
          edgeId: edge.id,
          message: `Edge ${edge.id} connects ${source ? source.name : `a missing node "${edge.source}"`} to ${target ? target.name : `a missing node "${edge.target}"`}${Number.isInteger(edge.port) && edge.port >= 0 ? '' : ` at an invalid port ${edge.port}`}. Delete the edge.`,
          fix: { label: 'Delete the edge', edits: [{ type: 'removeEdge', id: edge.id }] },
        }),
      );
      continue;
    }
    incoming.get(target.id)!.push(edge);
    outgoing.get(source.id)!.push(edge);
  }

  // Topological order (Kahn); what is left over sits on a cycle.
  const pending = new Map<string, number>();
  for (const node of graph.nodes) pending.set(node.id, incoming.get(node.id)!.length);
  const order: string[] = [];
  for (const node of graph.nodes) if (pending.get(node.id) === 0) order.push(node.id);
  for (let i = 0; i < order.length; i++) {
    for (const edge of outgoing.get(order[i]!)!) {
      const left = pending.get(edge.target)! - 1;
      pending.set(edge.target, left);
      if (left === 0) order.push(edge.target);
    }
  }
  if (order.length < graph.nodes.length) {
    // Left over are the nodes on a cycle and those downstream of one; blame only the cycles.
    const leftover = new Set(graph.nodes.filter((n) => pending.get(n.id)! > 0).map((n) => n.id));
    for (const cycle of findCycles(leftover, outgoing)) {
      const names = cycle.map((id) => nodesById.get(id)!.name).join(', ');
      for (const id of cycle)
        problems.push(
          problem('cycle', {
            nodeId: id,
            message: `${nodesById.get(id)!.name} is on a cycle (${names}): data would flow in a loop. Remove one of the edges that leads back.`,
          }),
        );
    }
  }
  const position = new Map(order.map((id, i) => [id, i]));

  // Shapes and costs, in order.
  const infos = new Map<string, NodeInfo>();
  const edgeShapes = new Map<string, Shape>();
  for (const node of graph.nodes) infos.set(node.id, { inputs: [], state: [], cost: noCost });
  for (const id of order) {
    const node = nodesById.get(id)!;
    const info = infos.get(id)!;
    const def = layerDef(node.kind);
    if (!def) {
      problems.push(
        problem('unknownKind', {
          nodeId: id,
          message: `${node.name} has an unknown layer kind "${node.kind}". Replace it with a known layer.`,
        }),
      );
      continue;
    }
    const params = withDefaults(def.params, node.params);
    const bad = checkParams(def.params, params);
    if (bad) {
      problems.push(
        problem('badParam', { nodeId: id, message: `${node.name}: ${bad.message}`, ...pick(bad) }),
      );
      continue;
    }
    const edges = [...incoming.get(id)!].sort((a, b) => a.port - b.port);
    const ports = new Set<number>();
    let wiring = false;
    for (const edge of edges) {
      if (ports.has(edge.port) || edge.port >= def.arity.max) {
        wiring = true;
        problems.push(
          problem('tooManyInputs', {
            nodeId: id,
            edgeId: edge.id,
            message:
              def.arity.max === 0
                ? `${node.name} (${node.kind}) is where data enters and takes no inputs. Delete the edge into it.`
                : `${node.name} (${node.kind}) takes ${def.arity.max === 1 ? 'one input' : `at most ${def.arity.max} inputs`}, but more are connected. Delete the extra edge.`,
            expected: `${def.arity.max} input${def.arity.max === 1 ? '' : 's'}`,
            arrived: `${edges.length}`,
            fix: { label: 'Delete the extra edge', edits: [{ type: 'removeEdge', id: edge.id }] },
          }),
        );
      }
      ports.add(edge.port);
    }
    if (edges.length < def.arity.min) {
      wiring = true;
      problems.push(
        problem('missingInput', {
          nodeId: id,
          message:
            def.arity.min === 1
              ? `${node.name} (${node.kind}) has no input. Connect the output of a layer to it.`
              : `${node.name} (${node.kind}) needs at least ${def.arity.min} inputs but has ${edges.length}. Connect ${def.arity.min - edges.length} more.`,
          expected: `${def.arity.min} input${def.arity.min === 1 ? '' : 's'}`,
          arrived: `${edges.length}`,
        }),
      );
    }
    if (wiring) continue;
    const inputs: Shape[] = [];
    for (const edge of edges) {
      const upstream = infos.get(edge.source)!.output;
      if (!upstream) break;
      inputs.push(upstream);
    }
    if (inputs.length < edges.length) continue; // something upstream has a problem of its own
    info.inputs = inputs;
    const result = def.infer(inputs, params);
    if (!result.ok) {
      const { issue } = result;
      const edgeAtFault = issue.input !== undefined ? edges[issue.input] : undefined;
      let fix = issue.fix ? layerFixEdits(graph, node, issue.fix, edges) : undefined;
      if (!fix && node.kind === 'Add') fix = projectionFix(graph, edges, inputs, position);
      problems.push({
        ...problem('badParam', { nodeId: id, message: `${node.name}: ${issue.message}` }),
        code: issue.code,
        title: titleOf(issue.code),
        ...pick(issue),
        ...(edgeAtFault ? { edgeId: edgeAtFault.id } : {}),
        ...(fix ? { fix } : {}),
      });
      continue;
    }
    info.output = result.output;
    info.resolved = result.resolved;
    info.state = def.state(result.resolved, inputs);
    info.cost = nodeCost(
      info.state,
      def.macs(result.resolved, inputs, result.output),
      result.output,
      def.view,
    );
    for (const edge of outgoing.get(id)!) edgeShapes.set(edge.id, result.output);
  }

  checkStructure(graph, groupIds, problems);
  const tree = moduleTree(graph);
  checkNames(tree, problems);
  checkEnds(graph, outgoing, problems);

  const total = sumCosts([...infos.values()].map((i) => i.cost));
  return { order, nodes: infos, edges: edgeShapes, problems, total, tree };
}

/** Strongly connected components (Tarjan) of `ids` that are real cycles: 2+ nodes, or a node feeding itself. */
function findCycles(ids: Set<string>, outgoing: Map<string, GraphEdge[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (id: string) => {
    index.set(id, index.size);
    low.set(id, index.get(id)!);
    stack.push(id);
    onStack.add(id);
    for (const edge of outgoing.get(id)!) {
      const next = edge.target;
      if (!ids.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(id, Math.min(low.get(id)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(id, Math.min(low.get(id)!, index.get(next)!));
    }
    if (low.get(id) !== index.get(id)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== id);
    const selfLoop = outgoing.get(id)!.some((e) => e.target === id);
    if (component.length > 1 || selfLoop) cycles.push(component.reverse());
  };
  for (const id of ids) if (!index.has(id)) visit(id);
  return cycles;
}

function pick(issue: { param?: string; expected?: string; arrived?: string }) {
  return {
    ...(issue.param !== undefined ? { param: issue.param } : {}),
    ...(issue.expected !== undefined ? { expected: issue.expected } : {}),
    ...(issue.arrived !== undefined ? { arrived: issue.arrived } : {}),
  };
}

/** Groups and parents must point at groups that exist, without loops. */
function checkStructure(graph: Graph, groupIds: Set<string>, problems: Problem[]) {
  for (const node of graph.nodes)
    if (node.parent !== undefined && !groupIds.has(node.parent))
      problems.push(
        problem('badGroup', {
          nodeId: node.id,
          message: `${node.name} sits in a module "${node.parent}" that does not exist. Move it to the top level.`,
          fix: {
            label: 'Move to the top level',
            edits: [{ type: 'setParent', id: node.id, parent: undefined }],
          },
        }),
      );
  const parentOf = new Map(graph.groups.map((g) => [g.id, g.parent]));
  for (const group of graph.groups) {
    const seen = new Set<string>();
    for (let p: string | undefined = group.id; p !== undefined; p = parentOf.get(p)) {
      if (seen.has(p)) {
        problems.push(
          problem('badGroup', {
            groupId: group.id,
            message: `Module ${group.name} is nested inside itself. Move it to the top level.`,
          }),
        );
        break;
      }
      seen.add(p);
      if (p !== group.id && !groupIds.has(p)) {
        problems.push(
          problem('badGroup', {
            groupId: group.id,
            message: `Module ${group.name} sits in a module "${p}" that does not exist.`,
          }),
        );
        break;
      }
    }
  }
}

/** Names must be attribute names, unique among siblings; a module's children are all indices or all names. */
function checkNames(tree: ModuleTreeNode, problems: Problem[]) {
  const where = (child: ModuleTreeNode) =>
    child.type === 'group' ? { groupId: child.id } : { nodeId: child.id };
  const walk = (module: ModuleTreeNode) => {
    const seen = new Map<string, ModuleTreeNode>();
    let indices = 0;
    for (const child of module.children) {
      const why = nameProblem(child.name);
      if (why)
        problems.push(
          problem('invalidName', { ...where(child), message: `${why} Rename ${child.path || 'it'}.` }),
        );
      const first = seen.get(child.name);
      if (first)
        problems.push(
          problem('duplicateName', {
            ...where(child),
            message: `Two children of ${module.path || 'the model'} are called "${child.name}", so their state_dict keys would collide. Rename one of them.`,
            fix: {
              label: 'Rename',
              edits: [{ type: 'rename', id: child.id, name: freeName(child.name, module) }],
            },
          }),
        );
      else seen.set(child.name, child);
      if (isIndexName(child.name)) indices++;
      walk(child);
    }
    if (indices > 0 && indices < module.children.length)
      problems.push(
        problem('mixedNames', {
          severity: 'warning',
          ...(module.type === 'group' ? { groupId: module.id } : {}),
          message: `${module.path || 'The model'} mixes numbered children (like an nn.Sequential) with named ones. Use names throughout, or numbers throughout.`,
        }),
      );
  };
  walk(tree);
}

function freeName(name: string, module: ModuleTreeNode): string {
  const taken = new Set(module.children.map((c) => c.name));
  for (let i = 1; ; i++) if (!taken.has(`${name}_${i}`)) return `${name}_${i}`;
}

/** A trainable network has an Input, an Output, and every layer leads to the Output. */
function checkEnds(graph: Graph, outgoing: Map<string, GraphEdge[]>, problems: Problem[]) {
  if (graph.nodes.length === 0) return;
  if (!graph.nodes.some((n) => n.kind === 'Input'))
    problems.push(
      problem('noInput', {
        message:
          'The network has no Input node. Drag an Input from the palette and connect it to the first layer.',
      }),
    );
  const outputs = graph.nodes.filter((n) => n.kind === 'Output');
  if (outputs.length === 0) {
    problems.push(
      problem('noOutput', {
        severity: 'warning',
        message:
          'The network has no Output node, so it cannot be trained. Add an Output after the last layer.',
      }),
    );
    return;
  }
  // Walk backwards from the outputs; what is not reached is unused.
  const incomingSources = new Map<string, string[]>();
  for (const [source, edges] of outgoing)
    for (const e of edges) {
      const list = incomingSources.get(e.target) ?? [];
      list.push(source);
      incomingSources.set(e.target, list);
    }
  const reached = new Set(outputs.map((n) => n.id));
  const stack = [...reached];
  while (stack.length) {
    const id = stack.pop()!;
    for (const source of incomingSources.get(id) ?? [])
      if (!reached.has(source)) {
        reached.add(source);
        stack.push(source);
      }
  }
  for (const node of graph.nodes)
    if (!reached.has(node.id))
      problems.push(
        problem('unused', {
          severity: 'warning',
          nodeId: node.id,
          message: `${node.name} does not lead to the Output, so it does not affect training. Connect it, or delete it.`,
        }),
      );
}

/** Human summary of a node's output, e.g. `6 x 28 x 28`. */
export function outputText(info: NodeInfo | undefined): string {
  return info?.output ? shapeText(info.output) : '?';
}
