// The native menu template on each OS: every command reachable, the usual accelerators, keys without a
// modifier shown but left to the page, one item per template, the recent list, and dev-only tools.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { COMMAND_IDS } from '../../electron/ipc/commands.ts';
import type { AppCommand } from '../../electron/ipc/contract.ts';
import {
  type MenuContext,
  menuTemplate,
  type NativeEditAction,
  registersAccelerator,
} from '../../electron/menu.ts';
import { TEMPLATES } from '../../electron/templates.ts';

const ROOT = resolve(import.meta.dirname, '../..');

function build(platform: NodeJS.Platform, extra: Partial<MenuContext> = {}) {
  const commands: AppCommand[] = [];
  const natives: NativeEditAction[] = [];
  let cleared = 0;
  const template = menuTemplate(
    { platform, appName: 'NeuroCanvas', isDev: false, recent: [], templates: TEMPLATES, ...extra },
    {
      command: (c) => commands.push(c),
      native: (a) => natives.push(a),
      clearRecent: () => cleared++,
    },
  );
  return { template, commands, natives, cleared: () => cleared };
}

function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? flatten(i.submenu) : [])]);
}

const byId = (items: MenuItemConstructorOptions[], id: string) => {
  const found = flatten(items).find((i) => i.id === id);
  if (!found) throw new Error(`no menu item ${id}`);
  return found;
};

const click = (item: MenuItemConstructorOptions) => (item.click as unknown as () => void)();

describe('menuTemplate', () => {
  it.each(['darwin', 'win32', 'linux'] as const)('has the menus in the usual order on %s', (platform) => {
    const labels = build(platform).template.map((m) => m.label ?? m.role);
    const expected = ['&File', '&Edit', '&View', '&Templates', 'T&rain'];
    expect(labels).toEqual(
      platform === 'darwin' ? ['NeuroCanvas', ...expected, 'windowMenu', '&Help'] : [...expected, '&Help'],
    );
  });

  it('reaches every command id from the menu', () => {
    for (const platform of ['darwin', 'linux'] as const) {
      const { template, commands } = build(platform, {
        recent: [{ ref: { id: '/p/a.ncproj', name: 'a.ncproj', path: '/p/a.ncproj' }, openedAt: 1 }],
      });
      for (const item of flatten(template)) if (item.click) click(item);
      expect(new Set(commands.map((c) => c.id))).toEqual(new Set(COMMAND_IDS));
    }
  });

  it('sends the matching command for the usual accelerators', () => {
    const { template, commands } = build('win32');
    const expectations: [string, string][] = [
      ['file.new', 'CmdOrCtrl+N'],
      ['file.open', 'CmdOrCtrl+O'],
      ['file.save', 'CmdOrCtrl+S'],
      ['file.saveAs', 'CmdOrCtrl+Shift+S'],
      ['edit.undo', 'CmdOrCtrl+Z'],
      ['edit.redo', 'Ctrl+Y'],
      ['edit.duplicate', 'CmdOrCtrl+D'],
      ['edit.selectAll', 'CmdOrCtrl+A'],
      ['edit.group', 'CmdOrCtrl+G'],
      ['edit.ungroup', 'CmdOrCtrl+Shift+G'],
      ['view.zoomIn', 'CmdOrCtrl+='],
      ['view.zoomOut', 'CmdOrCtrl+-'],
    ];
    for (const [id, accelerator] of expectations) {
      const item = byId(template, id);
      expect(item.accelerator).toBe(accelerator);
      expect(item.registerAccelerator).toBe(true);
      click(item);
      expect(commands.at(-1)).toEqual({ id });
    }
    expect(byId(build('darwin').template, 'edit.redo').accelerator).toBe('Shift+CmdOrCtrl+Z');
  });

  it('shows keys without a modifier but leaves them to the page (so typing still works)', () => {
    const { template } = build('linux');
    for (const id of ['edit.delete', 'view.fit', 'view.autoLayout', 'help.shortcuts'])
      expect(byId(template, id).registerAccelerator).toBe(false);
    expect(registersAccelerator('F5')).toBe(true);
    expect(registersAccelerator('Shift+F5')).toBe(true);
    expect(registersAccelerator('Shift+L')).toBe(false);
    expect(registersAccelerator('Alt+T')).toBe(true);
  });

  it('runs the native edit action first, so text fields keep cut, copy, paste and undo', () => {
    const { template, commands, natives } = build('darwin');
    click(byId(template, 'edit.copy'));
    click(byId(template, 'edit.undo'));
    expect(natives).toEqual(['copy', 'undo']);
    expect(commands).toEqual([{ id: 'edit.copy' }, { id: 'edit.undo' }]);
  });

  it('lists one item per template in templates/index.json, opening it by id', () => {
    const index = JSON.parse(readFileSync(resolve(ROOT, 'templates/index.json'), 'utf8')) as {
      templates: { id: string; title: string }[];
    };
    expect(TEMPLATES.map((t) => t.id)).toEqual(index.templates.map((t) => t.id));
    const { template, commands } = build('linux');
    const templates = template.find((m) => m.label === '&Templates')!.submenu as MenuItemConstructorOptions[];
    const items = templates.filter((i) => i.id?.startsWith('templates.open:'));
    expect(items.map((i) => i.label)).toEqual(index.templates.map((t) => t.title));
    click(byId(template, 'templates.open:lenet5'));
    expect(commands).toEqual([{ id: 'templates.open', template: 'lenet5' }]);
  });

  it('fills Open Recent, and clears it', () => {
    const ref = { id: '/p/a.ncproj', name: 'a.ncproj', path: '/p/a.ncproj' };
    const { template, commands, cleared } = build('linux', { recent: [{ ref, openedAt: 1 }] });
    const recent = flatten(template).find((i) => i.label === 'Open Recent')!
      .submenu as MenuItemConstructorOptions[];
    expect(recent.map((i) => i.label ?? i.type)).toEqual(['/p/a.ncproj', 'separator', 'Clear Recent']);
    click(recent[0]!);
    expect(commands).toEqual([{ id: 'file.openRecent', ref }]);
    click(recent[2]!);
    expect(cleared()).toBe(1);
    const empty = flatten(build('linux').template).find((i) => i.label === 'Open Recent')!;
    expect((empty.submenu as MenuItemConstructorOptions[])[0]).toMatchObject({ enabled: false });
  });

  it('offers developer tools only in development, and quits the usual way per OS', () => {
    const roles = (items: MenuItemConstructorOptions[]) => flatten(items).map((i) => i.role);
    expect(roles(build('linux').template)).not.toContain('toggleDevTools');
    expect(roles(build('linux', { isDev: true }).template)).toContain('toggleDevTools');
    expect(roles(build('linux').template)).toContain('quit');
    const mac = build('darwin').template;
    expect(roles(mac.slice(1))).not.toContain('quit');
    expect(roles(mac)).toEqual(
      expect.arrayContaining(['quit', 'hide', 'services', 'close', 'togglefullscreen']),
    );
  });

  it('gives every item id at most once', () => {
    for (const platform of ['darwin', 'win32'] as const) {
      const ids = flatten(build(platform).template)
        .map((i) => i.id)
        .filter(Boolean);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });
});
