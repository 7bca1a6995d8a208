// Every keyboard shortcut, once: the key handler and the `?` overlay both read this list.

import { pointerOnCanvas } from '../canvas/flowAccess.ts';
import {
  groupSelectionArranged,
  runAutoLayout,
  toggleSelectedModules,
  ungroupSelectionArranged,
} from '../canvas/layoutCommand.ts';
import { selectedFeeder } from '../panels/insertItem.ts';
import { isRunning, sessionStore } from '../session/store.ts';
import { startTraining, stopTraining, togglePause } from '../session/training.ts';
import { editorStore } from '../store/useEditor.ts';
import { lastPointer } from './pointer.ts';
import { newBlankProject, openProjectFile, saveProjectFile } from './projectFiles.ts';

export interface Shortcut {
  /** As shown to the user, e.g. `Ctrl+Shift+Z`. Several ways are separated by ` / `. */
  keys: string;
  label: string;
  section: 'File' | 'Edit' | 'Modules' | 'Canvas' | 'Training' | 'Help';
  /** Undefined for gestures that are only listed (mouse). */
  matches?: (e: KeyboardEvent) => boolean;
  run?: (e?: KeyboardEvent) => void;
  /** Also works while typing in a field. */
  inFields?: boolean;
}

const state = () => editorStore().getState();
const mod = (e: KeyboardEvent) => e.ctrlKey || e.metaKey;
const key = (e: KeyboardEvent) => e.key.toLowerCase();
const plain = (e: KeyboardEvent) => !mod(e) && !e.altKey;
const combo =
  (k: string, shift = false) =>
  (e: KeyboardEvent) =>
    mod(e) && !e.altKey && e.shiftKey === shift && key(e) === k;

function quickAddAtPointer() {
  const rect = document.querySelector('.react-flow')?.getBoundingClientRect();
  const p = lastPointer();
  const inside = rect && p && p.x >= rect.left && p.x <= rect.right && p.y >= rect.top && p.y <= rect.bottom;
  const client = inside
    ? p
    : rect
      ? { x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 }
      : { x: 400, y: 300 };
  const from = selectedFeeder();
  state().setUi({ quickAdd: { client, ...(from !== undefined ? { from } : {}) } });
}

function closeOrClear() {
  const s = state();
  if (s.ui.overlay || s.ui.quickAdd) s.setUi({ overlay: null, quickAdd: null });
  else if (s.notice) s.dismissNotice();
  else s.select([]);
}

export const SHORTCUTS: readonly Shortcut[] = [
  {
    keys: 'Alt+N',
    label: 'New project',
    section: 'File',
    matches: (e) => e.altKey && !mod(e) && key(e) === 'n',
    run: newBlankProject,
    inFields: true,
  },
  {
    keys: 'Ctrl+O',
    label: 'Open a project',
    section: 'File',
    matches: combo('o'),
    run: () => void openProjectFile(),
    inFields: true,
  },
  {
    keys: 'Ctrl+S',
    label: 'Save',
    section: 'File',
    matches: combo('s'),
    run: () => void saveProjectFile(),
    inFields: true,
  },
  {
    keys: 'Ctrl+Shift+S',
    label: 'Save as',
    section: 'File',
    matches: combo('s', true),
    run: () => void saveProjectFile({ saveAs: true }),
    inFields: true,
  },
  {
    keys: 'Alt+T',
    label: 'Templates',
    section: 'File',
    matches: (e) => e.altKey && !mod(e) && key(e) === 't',
    run: () => state().setUi({ overlay: 'templates' }),
    inFields: true,
  },
  { keys: 'Ctrl+Z', label: 'Undo', section: 'Edit', matches: combo('z'), run: () => state().undo() },
  {
    keys: 'Ctrl+Shift+Z / Ctrl+Y',
    label: 'Redo',
    section: 'Edit',
    matches: (e) => combo('z', true)(e) || combo('y')(e),
    run: () => state().redo(),
  },
  { keys: 'Ctrl+C', label: 'Copy', section: 'Edit', matches: combo('c'), run: () => state().copy() },
  { keys: 'Ctrl+X', label: 'Cut', section: 'Edit', matches: combo('x'), run: () => state().cut() },
  {
    keys: 'Ctrl+V',
    label: 'Paste',
    section: 'Edit',
    matches: combo('v'),
    run: () => state().paste(pointerOnCanvas()),
  },
  {
    keys: 'Ctrl+D',
    label: 'Duplicate',
    section: 'Edit',
    matches: combo('d'),
    run: () => state().duplicate(),
  },
  {
    keys: 'Delete / Backspace',
    label: 'Delete the selection',
    section: 'Edit',
    matches: (e) => plain(e) && (e.key === 'Delete' || e.key === 'Backspace'),
    run: () => state().deleteSelection(),
  },
  {
    keys: 'Ctrl+A',
    label: 'Select all',
    section: 'Edit',
    matches: combo('a'),
    run: () => state().selectAll(),
  },
  {
    keys: 'Escape',
    label: 'Close, or clear the selection',
    section: 'Edit',
    matches: (e) => e.key === 'Escape',
    run: closeOrClear,
  },
  {
    keys: 'F2',
    label: 'Rename the selected layer',
    section: 'Edit',
    matches: (e) => e.key === 'F2',
    run: () => document.querySelector<HTMLInputElement>('#inspector-name')?.select(),
  },
  {
    keys: 'Ctrl+G',
    label: 'Group the selection into a module',
    section: 'Modules',
    matches: combo('g'),
    run: groupSelectionArranged,
  },
  {
    keys: 'Ctrl+Shift+G',
    label: 'Ungroup the selected module',
    section: 'Modules',
    matches: combo('g', true),
    run: ungroupSelectionArranged,
  },
  {
    keys: 'Ctrl+E',
    label: 'Collapse or expand the module',
    section: 'Modules',
    matches: combo('e'),
    run: toggleSelectedModules,
  },
  {
    keys: '/ / Space',
    label: 'Quick-add a layer at the pointer',
    section: 'Canvas',
    matches: (e) => plain(e) && (e.key === '/' || e.key === ' '),
    run: quickAddAtPointer,
  },
  { keys: 'Double-click', label: 'Quick-add on empty canvas', section: 'Canvas' },
  {
    keys: 'Drag from an output',
    label: 'Connect; drop on empty canvas to add a fed layer',
    section: 'Canvas',
  },
  { keys: 'Shift+drag', label: 'Select with a box', section: 'Canvas' },
  { keys: 'Shift+click', label: 'Add to the selection', section: 'Canvas' },
  {
    keys: 'Shift+L',
    label: 'Auto-layout',
    section: 'Canvas',
    matches: (e) => !mod(e) && !e.altKey && e.shiftKey && key(e) === 'l',
    run: () => void runAutoLayout(),
  },
  {
    keys: 'Shift+1',
    label: 'Fit the view',
    section: 'Canvas',
    matches: (e) => !mod(e) && e.shiftKey && e.code === 'Digit1',
    run: () => state().requestView('fit'),
  },
  {
    keys: 'Ctrl+Shift+M',
    label: 'Show or hide problems',
    section: 'Canvas',
    matches: combo('m', true),
    run: () => {
      const ui = state().ui;
      const showing = ui.dockOpen && ui.dockTab === 'problems';
      state().setUi(showing ? { dockOpen: false } : { dockOpen: true, dockTab: 'problems' });
    },
    inFields: true,
  },
  {
    keys: 'Ctrl+B',
    label: 'Show or hide the layer palette',
    section: 'Canvas',
    matches: combo('b'),
    run: () => state().setUi({ paletteOpen: !state().ui.paletteOpen }),
    inFields: true,
  },
  {
    keys: 'Ctrl+Alt+B',
    label: 'Show or hide the inspector',
    section: 'Canvas',
    matches: (e) => mod(e) && e.altKey && key(e) === 'b',
    run: () => state().setUi({ inspectorOpen: !state().ui.inspectorOpen }),
    inFields: true,
  },
  {
    keys: 'Ctrl+Enter',
    label: 'Start training, or pause and resume it',
    section: 'Training',
    matches: (e) => mod(e) && !e.altKey && !e.shiftKey && e.key === 'Enter',
    run: () => void (isRunning(sessionStore().getState().run.status) ? togglePause() : startTraining()),
  },
  {
    keys: 'Ctrl+Shift+Enter',
    label: 'Stop training (keeps the weights so far)',
    section: 'Training',
    matches: (e) => mod(e) && !e.altKey && e.shiftKey && e.key === 'Enter',
    run: () => void stopTraining(),
  },
  {
    keys: 'Alt+1 … Alt+4',
    label: 'Show the Data, Training, Feature maps or Problems tab',
    section: 'Training',
    matches: (e) => e.altKey && !mod(e) && ['Digit1', 'Digit2', 'Digit3', 'Digit4'].includes(e.code),
    run: (e) => {
      const code = e?.code ?? 'Digit1';
      const tab =
        (['data', 'training', 'features', 'problems'] as const)[Number(code.slice(-1)) - 1] ?? 'data';
      state().setUi({ dockOpen: true, dockTab: tab });
    },
    inFields: true,
  },
  {
    keys: '?',
    label: 'Show these shortcuts',
    section: 'Help',
    matches: (e) => !mod(e) && e.key === '?',
    run: () => state().setUi({ overlay: state().ui.overlay === 'shortcuts' ? null : 'shortcuts' }),
  },
];

function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el?.tagName) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

/** The window's key handler: the first matching shortcut runs. */
export function handleKey(e: KeyboardEvent): void {
  if (e.defaultPrevented || e.isComposing) return;
  const inField = typing(e.target);
  for (const shortcut of SHORTCUTS) {
    if (!shortcut.matches || !shortcut.run || !shortcut.matches(e)) continue;
    if (inField && !shortcut.inFields && e.key !== 'Escape') return;
    if (inField && e.key === 'Escape') {
      (e.target as HTMLElement).blur();
      return;
    }
    // Modals own the keyboard except for Escape and the help toggle.
    if (state().ui.overlay && e.key !== 'Escape' && e.key !== '?') return;
    e.preventDefault();
    shortcut.run(e);
    return;
  }
}
