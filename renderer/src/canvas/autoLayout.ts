// Auto-layout with elkjs (layered, left to right): each module is laid out on its own, inside out, and then
// placed as one box in its parent, so frames never overlap. The top level wraps to the canvas's aspect ratio.

import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import type { Graph } from '../../../engine/graph/types.ts';
import { representatives } from '../store/structure.ts';
import type { XY } from '../store/types.ts';
import { FRAME_PADDING } from './frames.ts';

export interface Size {
  width: number;
  height: number;
}

type Elk = { layout(graph: ElkNode): Promise<ElkNode> };
let elkInstance: Promise<Elk> | null = null;

/**
 * elkjs is large and slow to warm up: it loads on first use, in a Web Worker in the browser (so the page
 * stays responsive while it works) and in-process elsewhere (tests).
 */
function elk(): Promise<Elk> {
  elkInstance ??=
    typeof window !== 'undefined' && typeof Worker !== 'undefined'
      ? Promise.all([import('elkjs/lib/elk-api.js'), import('elkjs/lib/elk-worker.min.js?url')]).then(
          ([{ default: ELK }, { default: workerUrl }]) => new ELK({ workerUrl }) as unknown as Elk,
        )
      : import('elkjs/lib/elk.bundled.js').then(({ default: ELK }) => new ELK() as unknown as Elk);
  return elkInstance;
}

/** Starts elkjs and runs one tiny layout, so the first real one does not pay for the warm-up. */
export function warmUpLayout(): void {
  void elk()
    .then((engine) =>
      engine.layout({ id: 'warm', children: [{ id: 'a', width: 10, height: 10 }], edges: [] }),
    )
    .catch(() => undefined);
}

const SPACING = { node: 40, layer: 124 };

interface Box extends Size {
  /** Positions of this container's items relative to its content origin. */
  inner: Map<string, XY>;
}

/**
 * Positions for every visible layer node and collapsed module. `sizeOf` gives the measured size of a node
 * or collapsed module; `aspectRatio` is the canvas's width / height, so the network wraps to fill it.
 */
export async function autoLayout(
  graph: Graph,
  sizeOf: (id: string) => Size,
  aspectRatio: number,
): Promise<Record<string, XY>> {
  const engine = await elk();
  const reps = representatives(graph);
  const groupsById = new Map(graph.groups.map((g) => [g.id, g]));
  const collapsedVisible = new Set([...reps.values()].filter((id) => groupsById.has(id)));

  // The container (module id, or '' for the root) each visible item sits in.
  const containerOf = (id: string): string => {
    const item = graph.nodes.find((n) => n.id === id) ?? groupsById.get(id);
    return item?.parent ?? '';
  };
  const items = new Map<string, string[]>();
  const add = (container: string, id: string) => {
    const list = items.get(container) ?? [];
    list.push(id);
    items.set(container, list);
  };
  for (const n of graph.nodes) if (reps.get(n.id) === n.id) add(containerOf(n.id), n.id);
  for (const id of collapsedVisible) add(containerOf(id), id);
  // Expanded modules that are visible (not inside a collapsed one) are boxes in their parent.
  const hidden = (g: string) => {
    for (let p = groupsById.get(g)?.parent; p !== undefined; p = groupsById.get(p)?.parent)
      if (groupsById.get(p)?.collapsed) return true;
    return false;
  };
  const frames = graph.groups.filter((g) => !g.collapsed && !hidden(g.id));
  for (const g of frames) add(g.parent ?? '', g.id);

  /** The item of `container` that holds `id` (walking up the module chain), or undefined. */
  const itemIn = (container: string, id: string): string | undefined => {
    let current: string | undefined = reps.get(id) ?? id;
    while (current !== undefined) {
      const parent = containerOf(current);
      if (parent === container) return current;
      if (parent === '') return undefined;
      current = parent;
    }
    return undefined;
  };

  const boxes = new Map<string, Box>();
  const layoutContainer = async (container: string): Promise<Box> => {
    const members = items.get(container) ?? [];
    for (const m of members)
      if (groupsById.has(m) && !collapsedVisible.has(m)) boxes.set(m, await layoutContainer(m));
    const sizeOfItem = (id: string): Size => {
      const box = boxes.get(id);
      if (box)
        return {
          width: box.width + FRAME_PADDING.side * 2,
          height: box.height + FRAME_PADDING.top + FRAME_PADDING.bottom,
        };
      return sizeOf(id);
    };
    const memberSet = new Set(members);
    const edges: ElkExtendedEdge[] = [];
    const seen = new Set<string>();
    for (const e of graph.edges) {
      const source = itemIn(container, e.source);
      const target = itemIn(container, e.target);
      if (!source || !target || source === target || !memberSet.has(source) || !memberSet.has(target))
        continue;
      const key = `${source}\u0000${target}`;
      if (seen.has(key)) continue;
      seen.add(key);
      edges.push({ id: `e${edges.length}`, sources: [source], targets: [target] });
    }
    const root = container === '';
    const result = await engine.layout({
      id: root ? '__root' : container,
      layoutOptions: {
        'elk.algorithm': 'layered',
        'elk.direction': 'RIGHT',
        'elk.spacing.nodeNode': String(SPACING.node),
        'elk.layered.spacing.nodeNodeBetweenLayers': String(SPACING.layer),
        'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
        'elk.padding': '[top=0,left=0,bottom=0,right=0]',
        // Only the top level wraps into rows: inside a module, one row reads as the block it is.
        ...(root && members.length > 6
          ? { 'elk.layered.wrapping.strategy': 'MULTI_EDGE', 'elk.aspectRatio': String(aspectRatio) }
          : {}),
      },
      children: members.map((id) => ({ id, ...sizeOfItem(id) })),
      edges,
    });
    const inner = new Map<string, XY>();
    for (const child of result.children ?? []) inner.set(child.id, { x: child.x ?? 0, y: child.y ?? 0 });
    return { width: result.width ?? 0, height: result.height ?? 0, inner };
  };

  const top = await layoutContainer('');
  const positions: Record<string, XY> = {};
  const place = (box: Box, origin: XY) => {
    for (const [id, p] of box.inner) {
      const at = { x: Math.round(origin.x + p.x), y: Math.round(origin.y + p.y) };
      const inner = boxes.get(id);
      if (inner) place(inner, { x: at.x + FRAME_PADDING.side, y: at.y + FRAME_PADDING.top });
      else positions[id] = at;
    }
  };
  place(top, { x: 0, y: 0 });
  return positions;
}
