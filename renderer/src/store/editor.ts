// The editor store: the engine's Graph, its analysis, layout, selection and undo history. Every graph change
// goes through `dispatch`, which applies engine edits and records their inverse.

import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Analysis } from '../../../engine/graph/analyze.ts';
import { applyEdits, type GraphEdit } from '../../../engine/graph/edits.ts';
import { emptyGraph, type Graph } from '../../../engine/graph/types.ts';
import {
  type DatasetRef,
  newProject,
  type Project,
  type TrainingSettings,
} from '../../../engine/io/project/project.ts';
import type { FileRef } from '../platform/types.ts';
import type { ClipboardData } from './clipboard.ts';
import { type CommandActions, createCommands } from './commands.ts';
import { analysisOf, pruneSelection } from './derived.ts';
import { placeMissing, pruneLayout } from './placement.ts';
import type { HistoryEntry, Layout, Notice, ProjectMeta, UiState, ViewRequest, XY } from './types.ts';

export interface EditorState {
  meta: ProjectMeta;
  graph: Graph;
  /** analyze(graph): shapes, problems, costs, module tree. Recomputed once per graph change. */
  analysis: Analysis;
  layout: Layout;
  /** Selected node, group and edge ids. */
  selection: readonly string[];
  past: HistoryEntry[];
  future: HistoryEntry[];
  /** Id of the history entry the saved file matches (0: the state as loaded; -1: never saved). */
  savedAt: number;
  dirty: boolean;
  /** Where the project was last opened from or saved to. */
  file: FileRef | null;
  clipboard: ClipboardData | null;
  pasteCount: number;
  notice: Notice | null;
  view: ViewRequest | null;
  ui: UiState;
}

export interface DispatchOptions {
  /** Positions to set along with the edits (new nodes, moved nodes). */
  layout?: Record<string, XY>;
  /** Selection after the change; by default the old one, minus what no longer exists. */
  select?: readonly string[];
  /** Steps with the same key in a row (typing into one field) become one undo step. */
  coalesce?: string;
}

export interface CoreActions {
  /** Applies graph edits as one undoable step. Returns false (and shows why) when an edit does not apply. */
  dispatch(edits: readonly GraphEdit[], label: string, options?: DispatchOptions): boolean;
  /** Moves nodes (an undoable step without graph edits). */
  moveNodes(positions: Record<string, XY>, label?: string): void;
  undo(): void;
  redo(): void;
  renameProject(name: string): void;
  /** Replaces the whole project; history starts afresh. */
  loadProject(project: Project, options?: { file?: FileRef | null; dirty?: boolean }): void;
  toProject(): Project;
  markSaved(file: FileRef | null): void;
  notify(text: string, kind?: Notice['kind'], extra?: Pick<Notice, 'action' | 'at'>): void;
  dismissNotice(): void;
  requestView(kind: ViewRequest['kind'], id?: string, reveal?: boolean): void;
  setUi(patch: Partial<UiState>): void;
  /** The project's training settings (saved with it; not an undo step, but the project counts as changed). */
  setTraining(training: TrainingSettings): void;
  /** Where the project's data comes from (saved with it). */
  setDataset(dataset: DatasetRef | null): void;
}

export type Editor = EditorState & CoreActions & CommandActions;
export type EditorStore = StoreApi<Editor>;

const COALESCE_MS = 1500;

export const DEFAULT_UI: UiState = {
  theme: 'system',
  paletteOpen: true,
  inspectorOpen: true,
  dockOpen: false,
  dockHeight: 340,
  dockTab: 'data',
  overlay: null,
  quickAdd: null,
  autosavedAt: null,
  arranging: null,
};

export function createEditorStore(project?: Project, ui: Partial<UiState> = {}): EditorStore {
  let nextId = 1;
  const start = project ?? newProject('Untitled', emptyGraph());

  return createStore<Editor>()((set, get) => {
    const topId = (past: HistoryEntry[]) => past.at(-1)?.id ?? 0;

    /** Records one step and moves the state to `graph` (already computed from the step's edits). */
    const commit = (entry: Omit<HistoryEntry, 'id' | 'at'>, graph: Graph) => {
      const s = get();
      const now = Date.now();
      const top = s.past.at(-1);
      let past: HistoryEntry[];
      if (entry.coalesce && top?.coalesce === entry.coalesce && now - top.at < COALESCE_MS) {
        const merged: HistoryEntry = {
          ...top,
          id: nextId++,
          edits: [...top.edits, ...entry.edits],
          inverse: [...entry.inverse, ...top.inverse],
          layoutAfter: entry.layoutAfter,
          selectionAfter: entry.selectionAfter,
          nameAfter: entry.nameAfter,
          at: now,
        };
        past = [...s.past.slice(0, -1), merged];
      } else past = [...s.past, { ...entry, id: nextId++, at: now }];
      set({
        graph,
        analysis: analysisOf(graph),
        layout: entry.layoutAfter,
        selection: entry.selectionAfter,
        meta: entry.nameAfter === s.meta.name ? s.meta : { ...s.meta, name: entry.nameAfter },
        past,
        future: [],
        dirty: topId(past) !== s.savedAt,
      });
    };

    const reportError = (label: string, error: unknown) =>
      get().notify(`${label} did not apply: ${(error as Error).message}.`, 'error');

    const core: CoreActions = {
      dispatch(edits, label, options = {}) {
        const s = get();
        if (edits.length === 0 && !options.layout) return true;
        let result: ReturnType<typeof applyEdits>;
        try {
          result = applyEdits(s.graph, edits);
        } catch (error) {
          reportError(label, error);
          return false;
        }
        const layout = placeMissing(
          result.graph,
          options.layout ? { ...s.layout, ...options.layout } : s.layout,
        );
        commit(
          {
            label,
            edits: [...edits],
            inverse: result.inverse,
            layoutBefore: s.layout,
            layoutAfter: layout,
            selectionBefore: s.selection,
            selectionAfter: options.select ?? pruneSelection(result.graph, s.selection),
            nameBefore: s.meta.name,
            nameAfter: s.meta.name,
            ...(options.coalesce ? { coalesce: options.coalesce } : {}),
          },
          result.graph,
        );
        return true;
      },

      moveNodes(positions, label = 'Move') {
        const s = get();
        const changed = Object.entries(positions).some(
          ([id, p]) => s.layout[id]?.x !== p.x || s.layout[id]?.y !== p.y,
        );
        if (changed) core.dispatch([], label, { layout: positions });
      },

      undo() {
        const s = get();
        const entry = s.past.at(-1);
        if (!entry) return;
        try {
          const { graph } = applyEdits(s.graph, entry.inverse);
          const past = s.past.slice(0, -1);
          set({
            graph,
            analysis: analysisOf(graph),
            layout: entry.layoutBefore,
            selection: pruneSelection(graph, entry.selectionBefore),
            meta: { ...s.meta, name: entry.nameBefore },
            past,
            future: [...s.future, entry],
            dirty: topId(past) !== s.savedAt,
          });
        } catch (error) {
          reportError(`Undo ${entry.label}`, error);
        }
      },

      redo() {
        const s = get();
        const entry = s.future.at(-1);
        if (!entry) return;
        try {
          const { graph } = applyEdits(s.graph, entry.edits);
          const past = [...s.past, entry];
          set({
            graph,
            analysis: analysisOf(graph),
            layout: entry.layoutAfter,
            selection: pruneSelection(graph, entry.selectionAfter),
            meta: { ...s.meta, name: entry.nameAfter },
            past,
            future: s.future.slice(0, -1),
            dirty: topId(past) !== s.savedAt,
          });
        } catch (error) {
          reportError(`Redo ${entry.label}`, error);
        }
      },

      renameProject(name) {
        const s = get();
        const trimmed = name.trim();
        if (!trimmed || trimmed === s.meta.name) return;
        commit(
          {
            label: 'Rename project',
            edits: [],
            inverse: [],
            layoutBefore: s.layout,
            layoutAfter: s.layout,
            selectionBefore: s.selection,
            selectionAfter: s.selection,
            nameBefore: s.meta.name,
            nameAfter: trimmed,
          },
          s.graph,
        );
      },

      loadProject(p, options = {}) {
        const layout = placeMissing(p.graph, p.layout);
        set({
          meta: { name: p.name, description: p.description, dataset: p.dataset, training: p.training },
          graph: p.graph,
          analysis: analysisOf(p.graph),
          layout,
          selection: [],
          past: [],
          future: [],
          savedAt: options.dirty ? -1 : 0,
          dirty: options.dirty === true,
          file: options.file ?? null,
          pasteCount: 0,
          view: { kind: 'fit', seq: (get()?.view?.seq ?? 0) + 1 },
        });
      },

      toProject() {
        const s = get();
        return newProject(s.meta.name, s.graph, {
          description: s.meta.description,
          layout: pruneLayout(s.graph, s.layout),
          dataset: s.meta.dataset,
          training: s.meta.training,
        });
      },

      markSaved(file) {
        const s = get();
        set({ savedAt: topId(s.past), dirty: false, file: file ?? s.file });
      },

      notify(text, kind = 'info', extra = {}) {
        set({ notice: { kind, text, ...extra, seq: (get().notice?.seq ?? 0) + 1 } });
      },

      dismissNotice() {
        set({ notice: null });
      },

      requestView(kind, id, reveal) {
        const seq = (get().view?.seq ?? 0) + 1;
        set({ view: { kind, ...(id !== undefined ? { id } : {}), ...(reveal ? { reveal } : {}), seq } });
      },

      setUi(patch) {
        set({ ui: { ...get().ui, ...patch } });
      },

      setTraining(training) {
        const s = get();
        if (JSON.stringify(s.meta.training) === JSON.stringify(training)) return;
        // NOTE: savedAt -1 matches no history entry, so the project stays changed until it is saved.
        set({ meta: { ...s.meta, training }, dirty: true, savedAt: -1 });
      },

      setDataset(dataset) {
        const s = get();
        if (JSON.stringify(s.meta.dataset) === JSON.stringify(dataset)) return;
        set({ meta: { ...s.meta, dataset }, dirty: true, savedAt: -1 });
      },
    };

    const layout = placeMissing(start.graph, start.layout);
    return {
      meta: {
        name: start.name,
        description: start.description,
        dataset: start.dataset,
        training: start.training,
      },
      graph: start.graph,
      analysis: analysisOf(start.graph),
      layout,
      selection: [],
      past: [],
      future: [],
      savedAt: 0,
      dirty: false,
      file: null,
      clipboard: null,
      pasteCount: 0,
      notice: null,
      view: null,
      ui: { ...DEFAULT_UI, ...ui },
      ...core,
      ...createCommands(get, set, core),
    };
  });
}
