// What the palette and the quick-add box offer: every layer kind from the registry and every block preset.

import { BLOCKS } from '../../../engine/graph/blocks/registry.ts';
import { LAYERS } from '../../../engine/layers/registry.ts';
import type { Category } from '../../../engine/layers/types.ts';

export type Section = Category | 'block';

export interface CatalogItem {
  type: 'layer' | 'block';
  kind: string;
  section: Section;
  summary: string;
}

/** Palette sections in order, with their headings. */
export const SECTIONS: readonly { id: Section; title: string }[] = [
  { id: 'input', title: 'Input' },
  { id: 'convolution', title: 'Convolution' },
  { id: 'pooling', title: 'Pooling' },
  { id: 'normalisation', title: 'Normalisation' },
  { id: 'activation', title: 'Activation' },
  { id: 'linear', title: 'Linear' },
  { id: 'merge', title: 'Merge' },
  { id: 'shape', title: 'Shape' },
  { id: 'output', title: 'Output' },
  { id: 'block', title: 'Blocks' },
];

export const CATALOG: readonly CatalogItem[] = [
  ...LAYERS.map((d) => ({
    type: 'layer' as const,
    kind: d.kind,
    section: d.category as Section,
    summary: d.summary,
  })),
  ...BLOCKS.map((b) => ({
    type: 'block' as const,
    kind: b.kind,
    section: 'block' as const,
    summary: b.summary,
  })),
];

/** Items matching `query` (kind first, then section, then summary); everything for an empty query. */
export function searchCatalog(query: string): CatalogItem[] {
  const q = query.trim().toLowerCase();
  if (!q) return [...CATALOG];
  const score = (item: CatalogItem) => {
    const kind = item.kind.toLowerCase();
    if (kind === q) return 0;
    if (kind.startsWith(q)) return 1;
    if (kind.includes(q)) return 2;
    if (item.section.startsWith(q)) return 3;
    if (item.summary.toLowerCase().includes(q)) return 4;
    return -1;
  };
  return CATALOG.map((item) => ({ item, s: score(item) }))
    .filter((x) => x.s >= 0)
    .sort((a, b) => a.s - b.s)
    .map((x) => x.item);
}

/** The MIME type a palette item is dragged with. */
export const DRAG_TYPE = 'application/x-neurocanvas-item';
