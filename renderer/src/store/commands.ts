// Editor commands on the selection and on new content; each becomes graph edits through the one dispatcher.

import type { Problem } from '../../../engine/graph/problem.ts';
import type { Params } from '../../../engine/layers/types.ts';
import { copySelection, pasteEdits } from './clipboard.ts';
import type { CoreActions, Editor, EditorState } from './editor.ts';
import { addBlockEdits, addLayerEdits, type InsertResult } from './insert.ts';
import { collapseTargets, deleteEdits, groupEdits, toggleCollapse, ungroupEdits } from './structureEdits.ts';
import type { XY } from './types.ts';

export interface CommandActions {
  select(ids: readonly string[]): void;
  selectAll(): void;
  copy(): void;
  cut(): void;
  /** Pastes the clipboard with its top-left corner at `at`, or shifted a little more each time. */
  paste(at?: XY): void;
  duplicate(): void;
  deleteSelection(): void;
  groupSelection(): void;
  ungroupSelection(): void;
  /** Collapses or expands the selected modules (or the module around a selected layer). */
  toggleCollapseSelection(): void;
  toggleCollapse(group: string): void;
  applyFix(problem: Problem): void;
  /** Adds a layer (or a block preset) at `at`, fed by `from` when given; returns the new ids. */
  addLayer(kind: string, at: XY, options?: { from?: string; parent?: string }): string[];
  addBlock(kind: string, at: XY, options?: { from?: string; params?: Params }): string[];
}

const PASTE_STEP = 40;

function topLeft(layout: Record<string, XY>): XY | undefined {
  const points = Object.values(layout);
  if (points.length === 0) return undefined;
  return { x: Math.min(...points.map((p) => p.x)), y: Math.min(...points.map((p) => p.y)) };
}

export function createCommands(
  get: () => Editor,
  set: (partial: Partial<EditorState>) => void,
  core: CoreActions,
): CommandActions {
  const insert = (result: InsertResult | null, label: string): string[] => {
    if (!result) return [];
    if (!core.dispatch(result.edits, label, { layout: result.layout, select: result.select })) return [];
    if (result.hint) core.notify(result.hint);
    return result.select;
  };

  const commands: CommandActions = {
    select(ids) {
      const current = get().selection;
      if (current.length === ids.length && current.every((id, i) => id === ids[i])) return;
      set({ selection: [...ids] });
    },

    selectAll() {
      const { graph } = get();
      const top = [...graph.nodes.filter((n) => n.parent === undefined).map((n) => n.id)];
      top.push(...graph.groups.filter((g) => g.parent === undefined).map((g) => g.id));
      set({ selection: top });
    },

    copy() {
      const s = get();
      const clip = copySelection(s.graph, s.layout, s.selection);
      if (clip) set({ clipboard: clip, pasteCount: 0 });
    },

    cut() {
      const s = get();
      const clip = copySelection(s.graph, s.layout, s.selection);
      if (!clip) return;
      set({ clipboard: clip, pasteCount: -1 });
      core.dispatch(deleteEdits(s.graph, s.selection), 'Cut', { select: [] });
    },

    paste(at) {
      const s = get();
      if (!s.clipboard) return;
      const step = (s.pasteCount + 1) * PASTE_STEP;
      const corner = topLeft(s.clipboard.layout);
      const offset = at && corner ? { x: at.x - corner.x, y: at.y - corner.y } : { x: step, y: step };
      const result = pasteEdits(s.graph, s.clipboard, offset);
      if (core.dispatch(result.edits, 'Paste', { layout: result.layout, select: result.select }))
        set({ pasteCount: s.pasteCount + 1 });
    },

    duplicate() {
      const s = get();
      const clip = copySelection(s.graph, s.layout, s.selection);
      if (!clip) return;
      const result = pasteEdits(s.graph, clip, { x: PASTE_STEP, y: PASTE_STEP });
      core.dispatch(result.edits, 'Duplicate', { layout: result.layout, select: result.select });
    },

    deleteSelection() {
      const s = get();
      const edits = deleteEdits(s.graph, s.selection);
      if (edits.length) core.dispatch(edits, 'Delete', { select: [] });
    },

    groupSelection() {
      const s = get();
      const result = groupEdits(s.graph, s.selection);
      if (!result.ok) core.notify(result.reason, 'error');
      else core.dispatch(result.edits, 'Group into module', { select: [result.group] });
    },

    ungroupSelection() {
      const s = get();
      const { edits, freed } = ungroupEdits(s.graph, s.selection);
      if (edits.length === 0) core.notify('Select a module to ungroup.', 'error');
      else core.dispatch(edits, 'Ungroup', { select: freed });
    },

    toggleCollapseSelection() {
      const s = get();
      const targets = collapseTargets(s.graph, s.selection);
      if (targets.length === 0) {
        core.notify('Select a module (or a layer inside one) to collapse or expand it.', 'error');
        return;
      }
      for (const id of targets) commands.toggleCollapse(id);
    },

    toggleCollapse(group) {
      const s = get();
      const g = s.graph.groups.find((x) => x.id === group);
      if (!g) return;
      const { edits, layout } = toggleCollapse(s.graph, s.layout, group);
      core.dispatch(edits, `${g.collapsed ? 'Expand' : 'Collapse'} ${g.name}`, { layout, select: [group] });
    },

    applyFix(problem) {
      if (!problem.fix) return;
      const target = problem.nodeId ?? problem.groupId;
      core.dispatch(problem.fix.edits, problem.fix.label, target ? { select: [target] } : {});
    },

    addLayer(kind, at, options = {}) {
      return insert(addLayerEdits(get().graph, kind, at, options), `Add ${kind}`);
    },

    addBlock(kind, at, options = {}) {
      const s = get();
      return insert(addBlockEdits(s.graph, s.analysis, kind, at, options), `Add ${kind} block`);
    },
  };
  return commands;
}
