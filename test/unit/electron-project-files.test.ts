// The desktop project and binary file handlers against real temporary files: open, reopen, save (asking only
// when needed), and every kind of refused input, each with a message in the user's words.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { saveBinary } from '../../electron/ipc/binary-files.ts';
import type { Dialogs, OpenDialogOptions, SaveDialogOptions } from '../../electron/ipc/dialogs.ts';
import { GrantedPaths } from '../../electron/ipc/grants.ts';
import {
  acceptProjectFromOs,
  openProject,
  openRecentProject,
  type ProjectDeps,
  saveProject,
} from '../../electron/ipc/project-files.ts';
import { RecentFiles } from '../../electron/ipc/recent-files.ts';
import { LIMITS } from '../../electron/ipc/validate.ts';

let folder: string;
let answers: { open: string[]; save: string | null };
let asked: { open: OpenDialogOptions[]; save: SaveDialogOptions[] };
let deps: ProjectDeps;

const dialogs: Dialogs = {
  chooseOpen: async (options) => {
    asked.open.push(options);
    return answers.open;
  },
  chooseSave: async (options) => {
    asked.save.push(options);
    return answers.save;
  },
};

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'neurocanvas-project-'));
  answers = { open: [], save: null };
  asked = { open: [], save: [] };
  deps = { grants: new GrantedPaths(false), recent: new RecentFiles(join(folder, 'recent.json')), dialogs };
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

const file = (name: string, text: string) => {
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
};

describe('openProject', () => {
  it('reads the file the user picked and grants it for saving back', async () => {
    const path = file('lenet.ncproj', '{"name":"LeNet-5"}');
    answers.open = [path];
    const opened = await openProject(deps);
    expect(opened).toEqual({ ref: { id: path, name: 'lenet.ncproj', path }, text: '{"name":"LeNet-5"}' });
    expect(asked.open[0]!.filters[0]!.extensions).toEqual(['ncproj', 'json']);
    expect(deps.grants.allowsWrite(path)).toBe(true);
  });

  it('answers null when the user cancels', async () => {
    expect(await openProject(deps)).toBeNull();
  });

  it('drops a UTF-8 byte order mark', async () => {
    answers.open = [file('bom.json', '\ufeff{"a":1}')];
    expect((await openProject(deps))!.text).toBe('{"a":1}');
  });

  it('refuses a project over 200 MB without reading it', async () => {
    const path = file('huge.json', '');
    truncateSync(path, LIMITS.projectBytes + 1);
    answers.open = [path];
    await expect(openProject(deps)).rejects.toMatchObject({
      code: 'too-large',
      message: 'huge.json is 200.0 MB, more than the 200 MB NeuroCanvas can open or save.',
    });
  });

  it('refuses a folder', async () => {
    const path = join(folder, 'a-folder.json');
    mkdirSync(path);
    answers.open = [path];
    await expect(openProject(deps)).rejects.toMatchObject({ code: 'not-a-file' });
  });
});

describe('openRecentProject', () => {
  it('refuses a path that was never picked, dropped or listed', async () => {
    const path = file('secret.json', '{}');
    await expect(openRecentProject(deps, { id: path, name: 'secret.json', path })).rejects.toMatchObject({
      code: 'path-not-granted',
      message: 'NeuroCanvas may only use files you chose yourself. Open or drop secret.json first.',
    });
  });

  it('reopens a file on the recent list, and answers null once it is gone', async () => {
    const path = file('old.ncproj', '{"v":1}');
    await deps.recent.add({ id: path, name: 'old.ncproj', path });
    expect((await openRecentProject(deps, { id: path, name: 'old.ncproj', path }))!.text).toBe('{"v":1}');
    rmSync(path);
    expect(await openRecentProject(deps, { id: path, name: 'old.ncproj', path })).toBeNull();
  });

  it.each([
    ['a relative path', { id: 'x', name: 'x.json', path: 'projects/x.json' }, 'path-not-absolute'],
    ['a NUL byte', { id: 'x', name: 'x.json', path: '/tmp/x\0.json' }, 'path-invalid'],
    ['no path', { id: 'x', name: 'x.json' }, 'invalid-request'],
    ['a number', 42, 'invalid-request'],
    [
      'a path that climbs out of a granted folder',
      { id: 'x', name: 'p', path: '/granted/../etc/passwd' },
      'path-not-granted',
    ],
  ])('refuses %s', async (_what, ref, code) => {
    deps.grants.grantFolder('/granted');
    await expect(openRecentProject(deps, ref)).rejects.toMatchObject({ code });
  });
});

describe('saveProject', () => {
  it('asks where when the project has no file yet, then writes there', async () => {
    answers.save = join(folder, 'new.ncproj');
    const ref = await saveProject(deps, '{"n":1}', 'lenet-5.json', null);
    expect(ref).toEqual({ id: answers.save, name: 'new.ncproj', path: answers.save });
    expect(asked.save[0]!.defaultName).toBe('lenet-5.json');
    expect(readFileSync(answers.save, 'utf8')).toBe('{"n":1}');
  });

  it('writes to a granted file without asking', async () => {
    const path = file('mine.ncproj', 'old');
    deps.grants.grantFile(path, 'read-write');
    await saveProject(deps, 'new', 'mine.ncproj', { id: path, name: 'mine.ncproj', path });
    expect(asked.save).toHaveLength(0);
    expect(readFileSync(path, 'utf8')).toBe('new');
  });

  it('asks again (starting at that file) rather than write where it may not', async () => {
    const path = file('not-granted.json', 'keep me');
    answers.save = null;
    expect(await saveProject(deps, 'x', 'n.json', { id: path, name: 'n.json', path })).toBeNull();
    expect(asked.save[0]!.defaultPath).toBe(path);
    expect(readFileSync(path, 'utf8')).toBe('keep me');
  });

  it('never overwrites a file granted only for reading (a dropped data file)', async () => {
    const path = file('data.json', 'data');
    deps.grants.grantFile(path, 'read');
    answers.save = null;
    expect(await saveProject(deps, 'x', 'n.json', { id: path, name: 'n.json', path })).toBeNull();
    expect(readFileSync(path, 'utf8')).toBe('data');
  });

  it('keeps the old file when the write fails, and says why', async () => {
    const path = file('mine.ncproj', 'old');
    deps.grants.grantFile(path, 'read-write');
    deps.writeHooks = {
      afterWrite: () => {
        throw Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' });
      },
    };
    await expect(
      saveProject(deps, 'new', 'mine.ncproj', { id: path, name: 'mine', path }),
    ).rejects.toMatchObject({
      code: 'disk-full',
      message: 'The disk is full, so mine.ncproj was not written. Free some space and try again.',
    });
    expect(readFileSync(path, 'utf8')).toBe('old');
  });

  it('explains a folder that vanished', async () => {
    answers.save = join(folder, 'gone', 'x.ncproj');
    await expect(saveProject(deps, '{}', 'x.ncproj', null)).rejects.toMatchObject({ code: 'not-found' });
  });

  it.each([
    ['text that is not a string', [42, 'a.json', null], 'invalid-request'],
    ['a file name with a folder in it', ['{}', '../a.json', null], 'path-invalid'],
    ['a file name with a NUL byte', ['{}', 'a\0.json', null], 'path-invalid'],
    [
      'a relative file reference',
      ['{}', 'a.json', { id: 'a', name: 'a', path: 'a.json' }],
      'path-not-absolute',
    ],
  ])('refuses %s', async (_what, args, code) => {
    const [text, name, ref] = args as [unknown, unknown, unknown];
    await expect(saveProject(deps, text, name, ref)).rejects.toMatchObject({ code });
    expect(asked.save).toHaveLength(0);
  });

  it('refuses a project over 200 MB before asking anything', async () => {
    const text = 'x'.repeat(LIMITS.projectBytes + 1);
    await expect(saveProject(deps, text, 'big.json', null)).rejects.toMatchObject({ code: 'too-large' });
    expect(asked.save).toHaveLength(0);
  });
});

describe('saveBinary', () => {
  it('writes the bytes where the user chose, offering the extension as the file type', async () => {
    answers.save = join(folder, 'lenet.pt');
    const bytes = new Uint8Array([0x50, 0x4b, 3, 4]);
    expect(await saveBinary(deps, bytes, 'lenet.pt', [])).toBe(true);
    expect(asked.save[0]!.filters).toEqual([{ name: 'pt file', extensions: ['pt'] }]);
    expect([...readFileSync(answers.save)]).toEqual([0x50, 0x4b, 3, 4]);
  });

  it('answers false when the user cancels', async () => {
    expect(
      await saveBinary(deps, new Uint8Array(1), 'model.py', [{ name: 'Python', extensions: ['py'] }]),
    ).toBe(false);
    expect(asked.save[0]!.filters).toEqual([{ name: 'Python', extensions: ['py'] }]);
  });

  it.each([
    ['text instead of bytes', ['abc', 'a.pt', []], 'invalid-request'],
    ['an array of numbers', [[1, 2], 'a.pt', []], 'invalid-request'],
    ['filters that are not a list', [new Uint8Array(1), 'a.pt', 'pt'], 'invalid-request'],
    [
      'an extension with a slash',
      [new Uint8Array(1), 'a.pt', [{ name: 'x', extensions: ['p/t'] }]],
      'invalid-request',
    ],
  ])('refuses %s', async (_what, args, code) => {
    const [data, name, filters] = args as [unknown, unknown, unknown];
    await expect(saveBinary(deps, data, name, filters)).rejects.toMatchObject({ code });
  });
});

describe('acceptProjectFromOs', () => {
  it('grants an existing file and ignores anything else', async () => {
    const path = file('double-clicked.ncproj', '{}');
    expect(await acceptProjectFromOs(deps.grants, path)).toMatchObject({
      path,
      name: 'double-clicked.ncproj',
    });
    expect(deps.grants.allowsWrite(path)).toBe(true);
    expect(await acceptProjectFromOs(deps.grants, join(folder, 'missing.ncproj'))).toBeNull();
    expect(await acceptProjectFromOs(deps.grants, folder)).toBeNull();
    expect(await acceptProjectFromOs(deps.grants, 'relative.ncproj')).toBeNull();
  });
});
