// Adds a palette item (layer or block) to the graph at a canvas position, fed by a node when one is given.

import { NODE_SIZE } from '../store/structureEdits.ts';
import type { XY } from '../store/types.ts';
import { editorStore } from '../store/useEditor.ts';
import type { CatalogItem } from './catalog.ts';

/** Adds `item` centred on `at` (flow coordinates); returns the new ids. */
export function insertItem(item: Pick<CatalogItem, 'type' | 'kind'>, at: XY, from?: string): string[] {
  const state = editorStore().getState();
  const corner = { x: Math.round(at.x - NODE_SIZE.width / 2), y: Math.round(at.y - NODE_SIZE.height / 2) };
  const options = from !== undefined ? { from } : {};
  return item.type === 'layer'
    ? state.addLayer(item.kind, corner, options)
    : state.addBlock(item.kind, corner, options);
}

/** The one selected layer, which a new layer added from the keyboard is connected to. */
export function selectedFeeder(): string | undefined {
  const { selection, graph } = editorStore().getState();
  if (selection.length !== 1) return undefined;
  const node = graph.nodes.find((n) => n.id === selection[0]);
  return node && node.kind !== 'Output' ? node.id : undefined;
}
