// The auto-layout command: lays the graph out with elkjs at the canvas's aspect ratio, as one undo step.

import { applyEdits, type GraphEdit } from '../../../engine/graph/edits.ts';
import { collapseTargets, groupEdits, NODE_SIZE, ungroupEdits } from '../store/structureEdits.ts';
import { editorStore } from '../store/useEditor.ts';
import { autoLayout } from './autoLayout.ts';
import { measuredSizes } from './sizes.ts';

/** Width / height of the canvas on screen (estimated from the window before it is mounted). */
function canvasAspect(): number {
  const rect = document.querySelector('.react-flow')?.getBoundingClientRect();
  if (rect && rect.height > 0) return rect.width / rect.height;
  return Math.max(1, (window.innerWidth - 560) / Math.max(1, window.innerHeight - 90));
}

/**
 * Lays out the graph with elkjs as one undo step. `quiet` (a project that was just opened from a template)
 * hides the canvas until it is done and changes the layout without an undo step or a change mark.
 */
export async function runAutoLayout(options: { quiet?: boolean } = {}): Promise<void> {
  const store = editorStore();
  const graph = store.getState().graph;
  store.getState().setUi({ arranging: options.quiet ? 'hidden' : 'busy' });
  try {
    const positions = await autoLayout(graph, (id) => measuredSizes.get(id) ?? NODE_SIZE, canvasAspect());
    // NOTE: a graph changed meanwhile keeps its layout; the user can run auto-layout again.
    if (store.getState().graph === graph) {
      if (options.quiet) store.setState({ layout: { ...store.getState().layout, ...positions } });
      else store.getState().moveNodes(positions, 'Auto-layout');
    }
    if (options.quiet)
      store.getState().requestView('fit', undefined, true); // the canvas uncovers itself
    else {
      store.getState().setUi({ arranging: null });
      store.getState().requestView('fit');
    }
  } catch (error) {
    store.getState().setUi({ arranging: null });
    store.getState().notify(`Auto-layout failed: ${(error as Error).message}`, 'error');
  }
}

/**
 * Applies structural edits (group, ungroup, collapse, expand) and re-arranges the graph around them, as one
 * undo step. Without a layout (elkjs failed) the edits still apply and members keep their places.
 */
export async function dispatchArranged(
  edits: GraphEdit[],
  label: string,
  select: readonly string[],
  options: { focus?: string; fallback?: () => void } = {},
): Promise<void> {
  const store = editorStore();
  const graph = store.getState().graph;
  if (edits.length === 0) return;
  store.getState().setUi({ arranging: 'busy' });
  try {
    const next = applyEdits(graph, edits).graph;
    const positions = await autoLayout(next, (id) => measuredSizes.get(id) ?? NODE_SIZE, canvasAspect());
    if (store.getState().graph !== graph) return; // something else changed the graph meanwhile
    store.getState().dispatch(edits, label, { layout: positions, select });
    // The whole arrangement changed: show the module it was about, or everything.
    store.getState().requestView(options.focus !== undefined ? 'focus' : 'fit', options.focus);
  } catch {
    if (options.fallback) options.fallback();
    else store.getState().dispatch(edits, label, { select });
  } finally {
    store.getState().setUi({ arranging: null });
  }
}

/** Collapses or expands modules, re-arranging the graph around them (one undo step). */
export async function toggleModules(groupIds: readonly string[]): Promise<void> {
  const s = editorStore().getState();
  const groups = s.graph.groups.filter((g) => groupIds.includes(g.id));
  if (groups.length === 0) return;
  const edits: GraphEdit[] = groups.map((g) => ({
    type: 'setCollapsed',
    id: g.id,
    collapsed: g.collapsed !== true,
  }));
  const first = groups[0]!;
  const label =
    groups.length === 1 ? `${first.collapsed ? 'Expand' : 'Collapse'} ${first.name}` : 'Collapse or expand';
  await dispatchArranged(
    edits,
    label,
    groups.map((g) => g.id),
    {
      focus: first.id,
      fallback: () => {
        for (const g of groups) editorStore().getState().toggleCollapse(g.id);
      },
    },
  );
}

/** The modules a collapse/expand command acts on (selected modules, or the one around a selected layer). */
export function toggleSelectedModules(): void {
  const s = editorStore().getState();
  const targets = collapseTargets(s.graph, s.selection);
  if (targets.length === 0)
    s.notify('Select a module (or a layer inside one) to collapse or expand it.', 'error');
  else void toggleModules(targets);
}

/** Groups the selection into a new module and arranges the graph around its frame. */
export function groupSelectionArranged(): void {
  const s = editorStore().getState();
  const result = groupEdits(s.graph, s.selection);
  if (!result.ok) s.notify(result.reason, 'error');
  else void dispatchArranged(result.edits, 'Group into module', [result.group]);
}

/** Dissolves the selected modules and arranges the graph without their frames. */
export function ungroupSelectionArranged(): void {
  const s = editorStore().getState();
  const { edits, freed } = ungroupEdits(s.graph, s.selection);
  if (edits.length === 0) s.notify('Select a module to ungroup.', 'error');
  else void dispatchArranged(edits, 'Ungroup', freed);
}
