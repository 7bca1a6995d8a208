// The canvas's nodes and edges, built from the store, plus what React Flow reports back: sizes, drags, selection.

import type { EdgeChange, NodeChange } from '@xyflow/react';
import { useCallback, useMemo, useRef, useState } from 'react';
import { ancestors, parentOf } from '../store/structure.ts';
import type { XY } from '../store/types.ts';
import { editorStore, useEditor } from '../store/useEditor.ts';
import {
  buildEdges,
  buildFrames,
  buildNodes,
  type FlowNode,
  type ShapeFlowEdge,
  type Sizes,
} from './flowModel.ts';
import { measuredSizes } from './sizes.ts';

export function useFlowNodes() {
  const graph = useEditor((s) => s.graph);
  const analysis = useEditor((s) => s.analysis);
  const layout = useEditor((s) => s.layout);
  const selection = useEditor((s) => s.selection);
  const [sizes, setSizes] = useState<Sizes>(() => new Map(measuredSizes));
  /** Positions of nodes being dragged; committed to the store (one undo step) when the drag ends. */
  const [drag, setDrag] = useState<Record<string, XY> | null>(null);

  const selected = useMemo(() => new Set(selection), [selection]);
  const effective = useMemo(() => (drag ? { ...layout, ...drag } : layout), [layout, drag]);
  const layers = useMemo(
    () => buildNodes(graph, analysis, effective, selected, sizes),
    [graph, analysis, effective, selected, sizes],
  );
  const frames = useMemo(
    () => buildFrames(graph, analysis, layers, selected),
    [graph, analysis, layers, selected],
  );
  const nodes = useMemo<FlowNode[]>(() => [...frames, ...layers], [frames, layers]);
  const edges = useMemo(() => buildEdges(graph, analysis, selected), [graph, analysis, selected]);

  const latest = useRef({ frames, layers, drag, effective, sizes });
  latest.current = { frames, layers, drag, effective, sizes };

  const onNodesChange = useCallback((changes: NodeChange<FlowNode>[]) => {
    const { frames, layers, drag, effective, sizes } = latest.current;
    const state = editorStore().getState();
    const frameById = new Map(frames.map((f) => [f.id, f]));
    const moving = new Set(changes.filter((c) => c.type === 'position').map((c) => c.id));
    let nextSizes: Map<string, { width: number; height: number }> | null = null;
    let moved: Record<string, XY> | null = null;
    let ended = false;
    let selection: Set<string> | null = null;

    for (const change of changes) {
      if (change.type === 'dimensions' && change.dimensions && !frameById.has(change.id)) {
        const old = sizes.get(change.id);
        const { width, height } = change.dimensions;
        if (!old || old.width !== width || old.height !== height) {
          nextSizes ??= new Map(sizes);
          nextSizes.set(change.id, { width, height });
          measuredSizes.set(change.id, { width, height });
        }
      } else if (change.type === 'position') {
        if (change.position) {
          moved ??= { ...drag };
          const frame = frameById.get(change.id);
          if (frame) {
            // Dragging a frame moves the module's visible members (those not already moving themselves).
            const dx = change.position.x - frame.position.x;
            const dy = change.position.y - frame.position.y;
            for (const { id } of layers) {
              if (moving.has(id) || !ancestors(state.graph, parentOf(state.graph, id)).includes(change.id))
                continue;
              const p = moved[id] ?? effective[id];
              if (p) moved[id] = { x: p.x + dx, y: p.y + dy };
            }
          } else moved[change.id] = change.position;
        }
        if (change.dragging === false) ended = true;
      } else if (change.type === 'select') {
        selection ??= new Set(state.selection);
        if (change.selected) selection.add(change.id);
        else selection.delete(change.id);
      }
    }
    if (nextSizes) setSizes(nextSizes);
    if (selection) state.select([...selection]);
    if (ended) {
      const final = moved ?? drag;
      if (final) state.moveNodes(final);
      setDrag(null);
    } else if (moved) setDrag(moved);
  }, []);

  const onEdgesChange = useCallback((changes: EdgeChange<ShapeFlowEdge>[]) => {
    const state = editorStore().getState();
    let selection: Set<string> | null = null;
    for (const change of changes)
      if (change.type === 'select') {
        selection ??= new Set(state.selection);
        if (change.selected) selection.add(change.id);
        else selection.delete(change.id);
      }
    if (selection) state.select([...selection]);
  }, []);

  return { nodes, edges, onNodesChange, onEdgesChange };
}
