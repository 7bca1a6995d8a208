// The native menu bar as a plain template: File, Edit, View, Templates, Train, Help (and the macOS app and
// Window menus). Items send a command id to the renderer; main.ts turns the template into a Menu.

import type { MenuItemConstructorOptions } from 'electron';
import type { CommandId } from './ipc/commands.ts';
import type { AppCommand, RecentFile } from './ipc/contract.ts';
import type { TemplateMenuItem } from './templates.ts';

/** Edit actions that text fields handle natively; the menu runs them on the page and sends the command too. */
export type NativeEditAction = 'undo' | 'redo' | 'cut' | 'copy' | 'paste' | 'selectAll';

export interface MenuContext {
  platform: NodeJS.Platform;
  appName: string;
  /** Development build: adds Toggle Developer Tools. */
  isDev: boolean;
  recent: readonly RecentFile[];
  templates: readonly TemplateMenuItem[];
}

export interface MenuActions {
  command(command: AppCommand): void;
  /** Runs the page's own edit action (so typing in a text field keeps working). */
  native(action: NativeEditAction): void;
  clearRecent(): void;
}

/**
 * Keys without Ctrl/Cmd/Alt (Delete, Shift+L, ?) are only shown, not registered: registered, they would be
 * taken from text fields. The page's own shortcut handler runs them.
 */
export function registersAccelerator(accelerator: string): boolean {
  return (
    /(CmdOrCtrl|CommandOrControl|Cmd|Command|Ctrl|Control|Alt|Option)\+/.test(accelerator) ||
    /^F\d+$|\+F\d+$/.test(accelerator)
  );
}

export function menuTemplate(context: MenuContext, actions: MenuActions): MenuItemConstructorOptions[] {
  const mac = context.platform === 'darwin';

  const item = (label: string, id: CommandId, accelerator?: string): MenuItemConstructorOptions => ({
    id,
    label,
    ...(accelerator ? { accelerator, registerAccelerator: registersAccelerator(accelerator) } : {}),
    click: () => actions.command({ id }),
  });

  /** Runs the native action first (text fields), then tells the renderer (the canvas). */
  const edit = (label: string, id: CommandId, native: NativeEditAction, accelerator: string) => ({
    ...item(label, id, accelerator),
    click: () => {
      actions.native(native);
      actions.command({ id });
    },
  });

  const separator: MenuItemConstructorOptions = { type: 'separator' };

  const recentItems: MenuItemConstructorOptions[] = context.recent.length
    ? [
        ...context.recent.map(
          (r): MenuItemConstructorOptions => ({
            label: r.ref.path ?? r.ref.name,
            click: () => actions.command({ id: 'file.openRecent', ref: r.ref }),
          }),
        ),
        separator,
        { label: 'Clear Recent', click: () => actions.clearRecent() },
      ]
    : [{ label: 'No Recent Projects', enabled: false }];

  const templateItems: MenuItemConstructorOptions[] = [
    { ...item('Browse Templates…', 'templates.gallery', 'Alt+T') },
    separator,
  ];
  context.templates.forEach((t, i) => {
    if (i > 0 && context.templates[i - 1]!.category !== t.category) templateItems.push(separator);
    templateItems.push({
      id: `templates.open:${t.id}`,
      label: t.title,
      click: () => actions.command({ id: 'templates.open', template: t.id }),
    });
  });

  const appMenu: MenuItemConstructorOptions = {
    label: context.appName,
    submenu: [
      item(`About ${context.appName}`, 'help.about'),
      separator,
      { role: 'services' },
      separator,
      { role: 'hide' },
      { role: 'hideOthers' },
      { role: 'unhide' },
      separator,
      { role: 'quit' },
    ],
  };

  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      item('New Project', 'file.new', 'CmdOrCtrl+N'),
      item('Open…', 'file.open', 'CmdOrCtrl+O'),
      { label: 'Open Recent', submenu: recentItems },
      separator,
      item('Save', 'file.save', 'CmdOrCtrl+S'),
      item('Save As…', 'file.saveAs', 'CmdOrCtrl+Shift+S'),
      separator,
      {
        label: 'Export',
        submenu: [
          item('PyTorch state_dict (.pt)…', 'file.exportStateDict', 'CmdOrCtrl+Shift+E'),
          item('safetensors (.safetensors)…', 'file.exportSafetensors'),
          item('PyTorch code (model.py)…', 'file.exportModelPy'),
          item('Training checkpoint (.pt)…', 'file.exportCheckpoint'),
          item('Project bundle (graph + weights + metrics)…', 'file.exportBundle'),
        ],
      },
      separator,
      mac ? { role: 'close' } : { role: 'quit', label: 'Quit', accelerator: 'Ctrl+Q' },
    ],
  };

  const editMenu: MenuItemConstructorOptions = {
    label: '&Edit',
    submenu: [
      edit('Undo', 'edit.undo', 'undo', 'CmdOrCtrl+Z'),
      edit('Redo', 'edit.redo', 'redo', mac ? 'Shift+CmdOrCtrl+Z' : 'Ctrl+Y'),
      separator,
      edit('Cut', 'edit.cut', 'cut', 'CmdOrCtrl+X'),
      edit('Copy', 'edit.copy', 'copy', 'CmdOrCtrl+C'),
      edit('Paste', 'edit.paste', 'paste', 'CmdOrCtrl+V'),
      item('Duplicate', 'edit.duplicate', 'CmdOrCtrl+D'),
      item('Delete', 'edit.delete', mac ? 'Backspace' : 'Delete'),
      edit('Select All', 'edit.selectAll', 'selectAll', 'CmdOrCtrl+A'),
      separator,
      item('Group into Module', 'edit.group', 'CmdOrCtrl+G'),
      item('Ungroup', 'edit.ungroup', 'CmdOrCtrl+Shift+G'),
    ],
  };

  const view: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      item('Fit to Window', 'view.fit', 'Shift+1'),
      item('Auto-layout', 'view.autoLayout', 'Shift+L'),
      separator,
      item('Zoom In', 'view.zoomIn', 'CmdOrCtrl+='),
      item('Zoom Out', 'view.zoomOut', 'CmdOrCtrl+-'),
      separator,
      item('Toggle Light/Dark Theme', 'view.toggleTheme', 'CmdOrCtrl+Shift+T'),
      ...(context.isDev ? [{ role: 'toggleDevTools' } as MenuItemConstructorOptions] : []),
      separator,
      { role: 'togglefullscreen' },
    ],
  };

  const train: MenuItemConstructorOptions = {
    label: 'T&rain',
    submenu: [
      item('Start Training', 'train.start', 'F5'),
      item('Pause Training', 'train.pause', 'F6'),
      item('Stop Training', 'train.stop', 'Shift+F5'),
      separator,
      item('Resume Checkpoint…', 'train.resumeCheckpoint'),
    ],
  };

  const help: MenuItemConstructorOptions = {
    role: 'help',
    label: '&Help',
    submenu: [
      item('Keyboard Shortcuts', 'help.shortcuts', '?'),
      ...(mac ? [] : [separator, item(`About ${context.appName}`, 'help.about')]),
    ],
  };

  return [
    ...(mac ? [appMenu] : []),
    file,
    editMenu,
    view,
    { label: '&Templates', submenu: templateItems },
    train,
    ...(mac ? [{ role: 'windowMenu' } as MenuItemConstructorOptions] : []),
    help,
  ];
}
