// Shapes of the editor state that several store modules share.

import type { GraphEdit } from '../../../engine/graph/edits.ts';
import type { DatasetRef, TrainingSettings } from '../../../engine/io/project/project.ts';

export interface XY {
  x: number;
  y: number;
}

/** Canvas position of each node and each collapsed group, by id (the project file's `layout`). */
export type Layout = Readonly<Record<string, XY>>;

/** What a project holds besides the graph and layout. */
export interface ProjectMeta {
  name: string;
  description: string;
  dataset: DatasetRef | null;
  training: TrainingSettings | null;
}

/** One undoable step: graph edits with their inverse, plus the layout, selection and project name around it. */
export interface HistoryEntry {
  id: number;
  label: string;
  edits: GraphEdit[];
  inverse: GraphEdit[];
  layoutBefore: Layout;
  layoutAfter: Layout;
  selectionBefore: readonly string[];
  selectionAfter: readonly string[];
  nameBefore: string;
  nameAfter: string;
  /** Consecutive steps with one key (typing into one field) merge into one entry. */
  coalesce?: string;
  at: number;
}

export type Theme = 'system' | 'dark' | 'light';

export interface Notice {
  kind: 'info' | 'error';
  text: string;
  action?: { label: string; run: () => void };
  /** Where to show it (client pixels); the bottom centre when absent. */
  at?: XY;
  seq: number;
}

/** Where the quick-add box opens (client pixels); the new node goes there. */
export interface QuickAddAt {
  client: XY;
  /** The node whose output feeds the new one (an edge dropped on empty canvas, or the selected node). */
  from?: string;
}

export type Overlay = 'shortcuts' | 'templates' | null;

/** The bottom dock's tabs. */
export type DockTab = 'data' | 'training' | 'features' | 'problems';

export interface UiState {
  theme: Theme;
  paletteOpen: boolean;
  inspectorOpen: boolean;
  dockOpen: boolean;
  dockHeight: number;
  dockTab: DockTab;
  overlay: Overlay;
  quickAdd: QuickAddAt | null;
  /** When the project was last written to the autosave (milliseconds since the epoch). */
  autosavedAt: number | null;
  /** Auto-layout running: 'hidden' keeps the canvas covered (a just-opened template), 'busy' only says so. */
  arranging: 'hidden' | 'busy' | null;
}

/** A request for the canvas view (fit everything, or centre on one node), numbered so repeats are seen. */
export interface ViewRequest {
  kind: 'fit' | 'focus';
  id?: string;
  /** Jump without animation and uncover a canvas hidden while arranging. */
  reveal?: boolean;
  seq: number;
}
