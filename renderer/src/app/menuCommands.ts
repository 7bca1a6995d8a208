// The desktop menu's commands (window.neurocanvas.onCommand, ids from electron/ipc/commands.ts) mapped to the
// same functions as the buttons and keys. Edit commands are left to a text field that has the focus.

import { pointerOnCanvas, zoomCanvas } from '../canvas/flowAccess.ts';
import { groupSelectionArranged, runAutoLayout, ungroupSelectionArranged } from '../canvas/layoutCommand.ts';
import type { FileRef } from '../platform/types.ts';
import { templateList } from '../project/templates.ts';
import { exportAs } from '../session/exports.ts';
import { isRunning, sessionStore } from '../session/store.ts';
import {
  pauseTraining,
  resumeFromCheckpoint,
  startTraining,
  stopTraining,
  togglePause,
} from '../session/training.ts';
import { editorStore } from '../store/useEditor.ts';
import { nextTheme } from './preferences.ts';
import {
  newBlankProject,
  openProjectFile,
  openRecentFile,
  openTemplate,
  saveProjectFile,
} from './projectFiles.ts';

/** A command as the desktop bridge delivers it (mirrors electron/ipc/contract.ts AppCommand). */
export interface MenuCommand {
  id: string;
  ref?: FileRef;
  template?: string;
}

const state = () => editorStore().getState();

/** True while the user types in a field: the menu's Edit items then act on the text, not the graph. */
export function typingInField(): boolean {
  if (typeof document === 'undefined') return false;
  const el = document.activeElement as HTMLElement | null;
  if (!el?.tagName) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

const EDIT: Record<string, () => void> = {
  'edit.undo': () => state().undo(),
  'edit.redo': () => state().redo(),
  'edit.cut': () => state().cut(),
  'edit.copy': () => state().copy(),
  'edit.paste': () => state().paste(pointerOnCanvas()),
  'edit.duplicate': () => state().duplicate(),
  'edit.delete': () => state().deleteSelection(),
  'edit.selectAll': () => state().selectAll(),
  'edit.group': groupSelectionArranged,
  'edit.ungroup': ungroupSelectionArranged,
};

const OTHER: Record<string, (command: MenuCommand) => void> = {
  'file.new': newBlankProject,
  'file.open': () => void openProjectFile(),
  'file.openRecent': (c) => c.ref && void openRecentFile(c.ref),
  'file.save': () => void saveProjectFile(),
  'file.saveAs': () => void saveProjectFile({ saveAs: true }),
  'file.exportStateDict': () => void exportAs('pt'),
  'file.exportSafetensors': () => void exportAs('safetensors'),
  'file.exportModelPy': () => void exportAs('py'),
  'file.exportCheckpoint': () => void exportAs('checkpoint'),
  'file.exportBundle': () => void exportAs('bundle'),
  'view.fit': () => state().requestView('fit'),
  'view.autoLayout': () => void runAutoLayout(),
  'view.zoomIn': () => zoomCanvas('in'),
  'view.zoomOut': () => zoomCanvas('out'),
  'view.toggleTheme': () => state().setUi({ theme: nextTheme(state().ui.theme) }),
  'templates.open': (c) => {
    const entry = templateList().find((t) => t.id === c.template);
    if (entry) void openTemplate(entry);
    else state().notify(`There is no template "${c.template ?? ''}" in this build.`, 'error');
  },
  'templates.gallery': () => state().setUi({ overlay: 'templates' }),
  'train.start': () =>
    void (sessionStore().getState().run.status === 'paused' ? togglePause() : startTraining()),
  'train.pause': () => void (isRunning(sessionStore().getState().run.status) ? pauseTraining() : undefined),
  'train.stop': () => void stopTraining(),
  'train.resumeCheckpoint': () => void resumeFromCheckpoint(),
  'help.shortcuts': () => state().setUi({ overlay: 'shortcuts' }),
  'help.about': () => {
    const info = (window.neurocanvas ?? null)?.appInfo();
    state().notify(`NeuroCanvas ${info?.version ?? __APP_VERSION__} (${info?.platform ?? 'web'}).`);
  },
};

/** True when the renderer has an action for this menu command id. */
export function handlesMenuCommand(id: string): boolean {
  return Object.hasOwn(EDIT, id) || Object.hasOwn(OTHER, id);
}

/** Runs one menu command; false when it is unknown or an edit command meant for a focused text field. */
export function runMenuCommand(command: MenuCommand): boolean {
  const edit = EDIT[command.id];
  if (edit) {
    if (typingInField()) return false;
    edit();
    return true;
  }
  const other = OTHER[command.id];
  if (!other) return false;
  other(command);
  return true;
}

interface CommandSource {
  onCommand?(callback: (command: MenuCommand) => void): () => void;
}

/** Listens to the desktop menu; returns the function that stops (nothing to do in a browser). */
export function wireMenuCommands(): () => void {
  const bridge = window.neurocanvas as CommandSource | undefined;
  return bridge?.onCommand?.((command) => runMenuCommand(command)) ?? (() => {});
}
