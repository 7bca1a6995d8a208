// Whether a new edge fits, decided by analysing the graph as it would be with the edge; refusals say why.

import { analyze } from '../../../engine/graph/analyze.ts';
import { applyEdits, type GraphEdit } from '../../../engine/graph/edits.ts';
import { uniqueId } from '../../../engine/graph/modules.ts';
import type { Graph } from '../../../engine/graph/types.ts';
import { layerDef } from '../../../engine/layers/registry.ts';
import { analysisOf } from '../store/derived.ts';

export interface Wire {
  source: string;
  target: string;
  /** `in-<port>` */
  targetHandle: string | null | undefined;
}

export type ConnectCheck =
  | { ok: true; edits: GraphEdit[] }
  | {
      ok: false;
      reason: string;
      /** Connect anyway and apply the fix the engine proposes for the resulting problem. */
      fix?: { label: string; edits: GraphEdit[] };
    };

const cache = new WeakMap<Graph, Map<string, ConnectCheck>>();

/** Checks (and memoises per graph) whether `wire` may be added. */
export function checkConnection(graph: Graph, wire: Wire): ConnectCheck {
  let known = cache.get(graph);
  if (!known) {
    known = new Map();
    cache.set(graph, known);
  }
  const key = `${wire.source}>${wire.target}:${wire.targetHandle ?? ''}`;
  let result = known.get(key);
  if (!result) {
    result = decide(graph, wire);
    known.set(key, result);
  }
  return result;
}

function decide(graph: Graph, wire: Wire): ConnectCheck {
  const source = graph.nodes.find((n) => n.id === wire.source);
  const target = graph.nodes.find((n) => n.id === wire.target);
  const group = graph.groups.find((g) => g.id === wire.source || g.id === wire.target);
  if (group) return { ok: false, reason: `Expand ${group.name} to connect to a layer inside it.` };
  if (!source || !target) return { ok: false, reason: 'Connect an output port to an input port.' };
  if (source.id === target.id) return { ok: false, reason: `${source.name} cannot feed itself.` };
  const def = layerDef(target.kind);
  if (def && def.arity.max === 0)
    return { ok: false, reason: `${target.name} is where data enters; it takes no inputs.` };
  const port = Number((wire.targetHandle ?? 'in-0').replace(/^in-/, ''));
  if (!Number.isInteger(port) || port < 0) return { ok: false, reason: 'Connect to an input port.' };
  if (graph.edges.some((e) => e.source === source.id && e.target === target.id && e.port === port))
    return { ok: false, reason: `${source.name} already feeds this input of ${target.name}.` };

  const edits: GraphEdit[] = [];
  const replaced = graph.edges.find((e) => e.target === target.id && e.port === port);
  if (replaced) edits.push({ type: 'removeEdge', id: replaced.id });
  const edge = {
    id: uniqueId(graph, `${source.id}->${target.id}:${port}`),
    source: source.id,
    target: target.id,
    port,
  };
  edits.push({ type: 'addEdge', edge });

  const wouldBe = applyEdits(graph, edits).graph;
  const after = analyze(wouldBe);
  const before = new Set(analysisOf(graph).problems.map((p) => `${p.code}|${p.nodeId}|${p.message}`));
  const cycle = after.problems.find((p) => p.code === 'NC001');
  if (cycle) return { ok: false, reason: `That edge would make a loop: ${cycle.message}` };
  const introduced = after.problems.find(
    (p) =>
      p.severity === 'error' &&
      !before.has(`${p.code}|${p.nodeId}|${p.message}`) &&
      (p.nodeId === target.id || p.edgeId === edge.id) &&
      p.code !== 'NC002' && // more inputs still to connect: fine while wiring an Add or Concat
      p.code !== 'NC016',
  );
  if (!introduced) return { ok: true, edits };
  return {
    ok: false,
    reason: introduced.message,
    ...(introduced.fix
      ? { fix: { label: introduced.fix.label, edits: [...edits, ...introduced.fix.edits] } }
      : {}),
  };
}
