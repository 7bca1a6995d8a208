// The desktop menu's commands reach the same store actions as buttons and keys; Edit items leave a focused text
// field alone; unknown ids do nothing.

import { afterEach, describe, expect, it } from 'vitest';
import { COMMAND_IDS } from '../../electron/ipc/commands.ts';
import { handlesMenuCommand, runMenuCommand } from '../../renderer/src/app/menuCommands.ts';
import { lenetProject } from '../../renderer/src/project/lenet.ts';
import { editorStore } from '../../renderer/src/store/useEditor.ts';

const state = () => editorStore().getState();

afterEach(() => {
  Reflect.deleteProperty(globalThis, 'document');
});

describe('desktop menu commands', () => {
  it('runs edit commands on the graph, undoably', () => {
    state().loadProject(lenetProject());
    state().select(['relu4']);
    expect(runMenuCommand({ id: 'edit.delete' })).toBe(true);
    expect(state().graph.nodes.some((n) => n.id === 'relu4')).toBe(false);
    expect(runMenuCommand({ id: 'edit.undo' })).toBe(true);
    expect(state().graph.nodes.some((n) => n.id === 'relu4')).toBe(true);
    expect(runMenuCommand({ id: 'edit.redo' })).toBe(true);
    expect(state().graph.nodes.some((n) => n.id === 'relu4')).toBe(false);
  });

  it('leaves edit commands to a text field that has the focus', () => {
    state().loadProject(lenetProject());
    Object.defineProperty(globalThis, 'document', {
      value: { activeElement: { tagName: 'INPUT', isContentEditable: false } },
      configurable: true,
    });
    state().select(['relu4']);
    expect(runMenuCommand({ id: 'edit.delete' })).toBe(false);
    expect(state().graph.nodes.some((n) => n.id === 'relu4')).toBe(true);
  });

  it('opens overlays, switches the theme and ignores unknown commands', () => {
    expect(runMenuCommand({ id: 'templates.gallery' })).toBe(true);
    expect(state().ui.overlay).toBe('templates');
    expect(runMenuCommand({ id: 'help.shortcuts' })).toBe(true);
    expect(state().ui.overlay).toBe('shortcuts');
    const theme = state().ui.theme;
    runMenuCommand({ id: 'view.toggleTheme' });
    expect(state().ui.theme).not.toBe(theme);
    runMenuCommand({ id: 'view.fit' });
    expect(state().view?.kind).toBe('fit');
    expect(runMenuCommand({ id: 'file.launchRockets' })).toBe(false);
  });

  it('has an action for every command the desktop menu sends (Resume Checkpoint, every export included)', () => {
    expect(COMMAND_IDS.filter((id) => !handlesMenuCommand(id))).toEqual([]);
    expect(COMMAND_IDS).toContain('train.resumeCheckpoint');
    expect(handlesMenuCommand('file.launchRockets')).toBe(false);
  });

  it('says plainly when a template id is not in this build', () => {
    runMenuCommand({ id: 'templates.open', template: 'no-such-net' });
    expect(state().notice?.text).toBe('There is no template "no-such-net" in this build.');
  });
});
