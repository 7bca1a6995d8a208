// The desktop recent-files list: newest first, one entry per file, capped, pruned of files that are gone,
// tolerant of a damaged JSON file; and only granted files may join it (it is part of the allowlist).

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataStreams } from '../../electron/ipc/data-stream.ts';
import { GrantedPaths } from '../../electron/ipc/grants.ts';
import { createHandlers } from '../../electron/ipc/handlers.ts';
import { RecentFiles } from '../../electron/ipc/recent-files.ts';

let folder: string;
let store: string;
let clock: number;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'neurocanvas-recent-'));
  store = join(folder, 'recent-files.json');
  clock = 1000;
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

const recentFiles = (limit = 10, ignoreCase = false) =>
  new RecentFiles(store, { limit, ignoreCase, now: () => clock++ });
const project = (name: string) => {
  const path = join(folder, name);
  writeFileSync(path, '{}');
  return { id: path, name, path };
};
const names = (list: { ref: { name: string } }[]) => list.map((r) => r.ref.name);

describe('RecentFiles', () => {
  it('lists the newest first, with the path as the stable id', async () => {
    const recent = recentFiles();
    const a = project('a.ncproj');
    await recent.add(a);
    await recent.add(project('b.ncproj'));
    const list = await recent.list();
    expect(names(list)).toEqual(['b.ncproj', 'a.ncproj']);
    expect(list[1]).toEqual({ ref: { id: a.path, name: 'a.ncproj', path: a.path }, openedAt: 1000 });
  });

  it('keeps one entry per file, moving a reopened file to the top', async () => {
    const recent = recentFiles();
    const a = project('a.ncproj');
    await recent.add(a);
    await recent.add(project('b.ncproj'));
    await recent.add({ ...a, id: 'another id', path: `${folder}/./a.ncproj` });
    expect(names(await recent.list())).toEqual(['a.ncproj', 'b.ncproj']);
  });

  it('treats paths that differ only in case as one file where the OS does', async () => {
    const recent = recentFiles(10, true);
    const a = project('Net.ncproj');
    await recent.add(a);
    await recent.add({ ...a, path: a.path.toUpperCase() });
    expect(JSON.parse(readFileSync(store, 'utf8')).files).toHaveLength(1);
  });

  it('keeps at most `limit` entries', async () => {
    const recent = recentFiles(3);
    for (const n of ['1', '2', '3', '4', '5']) await recent.add(project(`${n}.ncproj`));
    expect(names(await recent.list())).toEqual(['5.ncproj', '4.ncproj', '3.ncproj']);
  });

  it('drops files that no longer exist, and saves the pruned list', async () => {
    const recent = recentFiles();
    const gone = project('gone.ncproj');
    await recent.add(gone);
    await recent.add(project('kept.ncproj'));
    rmSync(gone.path);
    expect(names(await recent.list())).toEqual(['kept.ncproj']);
    expect(JSON.parse(readFileSync(store, 'utf8')).files).toHaveLength(1);
    expect(await recent.has(gone.path)).toBe(false);
  });

  it('reads a missing or damaged file as an empty list, and recovers on the next add', async () => {
    const recent = recentFiles();
    expect(await recent.list()).toEqual([]);
    writeFileSync(store, '{ not json');
    expect(await recent.list()).toEqual([]);
    writeFileSync(store, JSON.stringify({ files: [{ path: 1 }, 'junk', null] }));
    expect(await recent.list()).toEqual([]);
    await recent.add(project('a.ncproj'));
    expect(names(await recent.list())).toEqual(['a.ncproj']);
  });

  it('loses no entry when adds come in quick succession', async () => {
    const recent = recentFiles();
    await Promise.all(['a', 'b', 'c', 'd'].map((n) => recent.add(project(`${n}.ncproj`))));
    expect((await recent.list()).length).toBe(4);
  });

  it('clears', async () => {
    const recent = recentFiles();
    await recent.add(project('a.ncproj'));
    await recent.clear();
    expect(await recent.list()).toEqual([]);
  });
});

describe('the addRecent handler', () => {
  const handlersFor = (grants: GrantedPaths, recent: RecentFiles, changed: () => void) =>
    createHandlers({
      grants,
      recent,
      streams: new DataStreams({ grants }),
      dialogs: { chooseOpen: async () => [], chooseSave: async () => null },
      onRecentChanged: changed,
    });

  it('adds a granted file and tells main to rebuild the menu', async () => {
    const grants = new GrantedPaths(false);
    const recent = recentFiles();
    let changes = 0;
    const a = project('a.ncproj');
    grants.grantFile(a.path, 'read-write');
    await handlersFor(grants, recent, () => changes++).addRecent({ windowId: 1 }, a);
    expect(names(await recent.list())).toEqual(['a.ncproj']);
    expect(changes).toBe(1);
  });

  it('refuses a file that was never granted, since the list itself grants access', async () => {
    const recent = recentFiles();
    const handlers = handlersFor(new GrantedPaths(false), recent, () => undefined);
    await expect(handlers.addRecent({ windowId: 1 }, project('sneaky.ncproj'))).rejects.toMatchObject({
      code: 'path-not-granted',
    });
    await expect(handlers.addRecent({ windowId: 1 }, { id: '/x', name: 'x' })).rejects.toMatchObject({
      code: 'invalid-request',
    });
    expect(await recent.list()).toEqual([]);
  });
});
