// The canvas: React Flow drawing the store's graph, with drop from the palette, quick-add and view requests.

import {
  Background,
  BackgroundVariant,
  ControlButton,
  Controls,
  type FinalConnectionState,
  MiniMap,
  type Node,
  ReactFlow,
  type ReactFlowState,
  useNodesInitialized,
  useReactFlow,
  useStore,
} from '@xyflow/react';
import { type DragEvent, type MouseEvent as ReactMouseEvent, useCallback, useEffect, useRef } from 'react';
import { layerDef } from '../../../engine/layers/registry.ts';
import { type CatalogItem, DRAG_TYPE } from '../panels/catalog.ts';
import { insertItem } from '../panels/insertItem.ts';
import { editorStore, useEditor } from '../store/useEditor.ts';
import { CollapsedNode } from './CollapsedNode.tsx';
import { FrameNode } from './FrameNode.tsx';
import { registerFlow } from './flowAccess.ts';
import type { FlowNode } from './flowModel.ts';
import { LayoutIcon } from './icons.tsx';
import { LayerNode } from './LayerNode.tsx';
import { runAutoLayout, toggleModules } from './layoutCommand.ts';
import { QuickAdd } from './QuickAdd.tsx';
import { ShapeEdge } from './ShapeEdge.tsx';
import { useConnections } from './useConnections.ts';
import { useFlowNodes } from './useFlowNodes.ts';

const nodeTypes = { layer: LayerNode, collapsed: CollapsedNode, frame: FrameNode };
const edgeTypes = { shape: ShapeEdge };
const SNAP: [number, number] = [8, 8];
const MULTI_SELECT = ['Shift', 'Meta', 'Control'];
const FAR_ZOOM = 0.6;
// NOTE: a constant on purpose: React Flow stores this prop whenever it changes identity, which would replace
// the options of a fitView() queued by a focus request.
const INITIAL_FIT = { padding: 0.12, maxZoom: 1.2 };
const MINIMAP_SIZE = { width: 168, height: 112 };

function minimapClass(node: Node): string {
  if (node.type === 'frame') return 'minimap-frame';
  if (node.type === 'collapsed') return 'minimap-node cat-block';
  const kind = (node as FlowNode & { type: 'layer' }).data.node.kind;
  return `minimap-node cat-${layerDef(kind)?.category ?? 'unknown'}`;
}

/**
 * True when part of the graph lies outside the visible pane: only then does the minimap help, and a minimap over
 * a graph that fits would hide the nodes under it (the bottom-right ones, with the training dock open).
 */
export function graphOverflows(s: ReactFlowState): boolean {
  const [tx, ty, zoom] = s.transform;
  for (const node of s.nodeLookup.values()) {
    if (node.hidden) continue;
    const { x, y } = node.internals.positionAbsolute;
    const left = x * zoom + tx;
    const top = y * zoom + ty;
    const right = left + (node.measured.width ?? 0) * zoom;
    const bottom = top + (node.measured.height ?? 0) * zoom;
    if (left < 0 || top < 0 || right > s.width || bottom > s.height) return true;
  }
  return false;
}

export function Canvas({ colorMode }: { colorMode: 'dark' | 'light' }) {
  const { nodes, edges, onNodesChange, onEdgesChange } = useFlowNodes();
  const { isValidConnection, onConnect, onConnectEnd } = useConnections();
  const flow = useReactFlow();
  const view = useEditor((s) => s.view);
  const setUi = useEditor((s) => s.setUi);
  const arranging = useEditor((s) => s.ui.arranging);
  // Zoomed far out, nodes show fewer, larger words (see canvas.css).
  const far = useStore((s) => s.transform[2] < FAR_ZOOM);
  const overflows = useStore(graphOverflows);
  const initialised = useNodesInitialized();
  const handled = useRef(0);

  useEffect(() => {
    registerFlow(flow);
    return () => registerFlow(null);
  }, [flow]);

  // Fit or focus when the store asks, once the nodes have been measured.
  useEffect(() => {
    if (!view || view.seq === handled.current || !initialised) return;
    handled.current = view.seq;
    if (view.kind === 'fit') {
      void flow.fitView({ padding: 0.12, duration: view.reveal ? 0 : 200, maxZoom: 1.2 }).then(() => {
        if (view.reveal) editorStore().getState().setUi({ arranging: null });
      });
      return;
    }
    const node = flow.getNode(view.id ?? '') ?? findShown(flow.getNodes(), view.id);
    if (!node) return;
    // A module's frame is brought into view whole; a layer is centred close enough to read.
    if (node.type === 'frame') {
      void flow.fitView({ nodes: [{ id: node.id }], padding: 0.15, maxZoom: 1, duration: 250 });
      return;
    }
    const width = node.measured?.width ?? 210;
    const height = node.measured?.height ?? 96;
    void flow.setCenter(node.position.x + width / 2, node.position.y + height / 2, {
      zoom: node.type === 'collapsed' ? flow.getZoom() : Math.max(flow.getZoom(), 0.9),
      duration: 250,
    });
  }, [view, initialised, flow]);

  const onDragOver = useCallback((event: DragEvent) => {
    if (!event.dataTransfer.types.includes(DRAG_TYPE)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  }, []);

  const onDrop = useCallback(
    (event: DragEvent) => {
      const raw = event.dataTransfer.getData(DRAG_TYPE);
      if (!raw) return;
      event.preventDefault();
      const item = JSON.parse(raw) as Pick<CatalogItem, 'type' | 'kind'>;
      insertItem(item, flow.screenToFlowPosition({ x: event.clientX, y: event.clientY }));
    },
    [flow],
  );

  const openQuickAdd = useCallback(
    (client: { x: number; y: number }, from?: string) => {
      setUi({ quickAdd: { client, ...(from !== undefined ? { from } : {}) } });
    },
    [setUi],
  );

  const onDoubleClick = useCallback(
    (event: ReactMouseEvent) => {
      if ((event.target as Element).classList.contains('react-flow__pane'))
        openQuickAdd({ x: event.clientX, y: event.clientY });
    },
    [openQuickAdd],
  );

  const onConnectEndOrAdd = useCallback(
    (event: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      const point = 'changedTouches' in event ? event.changedTouches[0] : event;
      const client = { x: point?.clientX ?? 0, y: point?.clientY ?? 0 };
      // An edge dropped on empty canvas from an output: add a layer there, fed by it.
      if (!state.toHandle && !state.toNode && state.fromHandle?.type === 'source' && state.fromNode) {
        if (!(event.target as Element | null)?.closest?.('.react-flow__node'))
          openQuickAdd(client, state.fromNode.id);
        return;
      }
      onConnectEnd(client, state);
    },
    [onConnectEnd, openQuickAdd],
  );

  return (
    <div
      className={`canvas${arranging === 'hidden' ? ' is-arranging' : ''}${far ? ' is-far' : ''}`}
      data-arranging={arranging ?? 'no'}
    >
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        isValidConnection={isValidConnection}
        onConnect={onConnect}
        onConnectEnd={onConnectEndOrAdd}
        onNodeDoubleClick={(_, node) => {
          if (node.type === 'collapsed') void toggleModules([node.id]);
        }}
        onDoubleClick={onDoubleClick}
        onDragOver={onDragOver}
        onDrop={onDrop}
        colorMode={colorMode}
        fitView
        fitViewOptions={INITIAL_FIT}
        minZoom={0.08}
        maxZoom={2.5}
        snapToGrid
        snapGrid={SNAP}
        deleteKeyCode={null}
        selectionKeyCode="Shift"
        multiSelectionKeyCode={MULTI_SELECT}
        panActivationKeyCode={null}
        zoomOnDoubleClick={false}
        elevateNodesOnSelect={false}
        connectionRadius={28}
        defaultEdgeOptions={{ type: 'shape' }}
        proOptions={{ hideAttribution: false }}
      >
        <Background variant={BackgroundVariant.Dots} gap={16} size={1} className="canvas__grid" />
        {overflows && (
          <MiniMap
            pannable
            zoomable
            nodeClassName={minimapClass}
            className="canvas__minimap"
            style={MINIMAP_SIZE}
            ariaLabel="Overview of the whole graph"
          />
        )}
        <Controls showInteractive={false} position="bottom-left" className="canvas__controls">
          <ControlButton
            onClick={() => void runAutoLayout()}
            title="Auto-layout (Shift+L)"
            aria-label="Auto-layout"
          >
            <LayoutIcon />
          </ControlButton>
        </Controls>
      </ReactFlow>
      <QuickAdd />
      {arranging && (
        <div className="canvas__busy" role="status">
          Arranging the network…
        </div>
      )}
    </div>
  );
}

/** The node drawn for `id`: itself, or the collapsed module that hides it. */
function findShown(nodes: Node[], id: string | undefined): Node | undefined {
  if (id === undefined) return undefined;
  const { graph } = editorStore().getState();
  let parent = graph.nodes.find((n) => n.id === id)?.parent;
  while (parent !== undefined) {
    const shown = nodes.find((n) => n.id === parent);
    if (shown) return shown;
    parent = graph.groups.find((g) => g.id === parent)?.parent;
  }
  return undefined;
}
