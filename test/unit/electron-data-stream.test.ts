// Data folders and files on the desktop: picked or dropped paths are granted and listed, then streamed in
// chunks with progress under a request id, and a stream can be cancelled part way.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DataProgress, DataStreamStep } from '../../electron/ipc/contract.ts';
import { grantDroppedPaths, listDataFiles, pickDataFiles } from '../../electron/ipc/data-files.ts';
import { DataStreams } from '../../electron/ipc/data-stream.ts';
import { GrantedPaths } from '../../electron/ipc/grants.ts';

let folder: string;
let dataset: string;
let grants: GrantedPaths;
const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 255);

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'neurocanvas-data-'));
  dataset = join(folder, 'pets');
  mkdirSync(join(dataset, 'cats'), { recursive: true });
  mkdirSync(join(dataset, 'dogs', 'big'), { recursive: true });
  mkdirSync(join(dataset, '.git'));
  writeFileSync(join(dataset, 'cats', '001.png'), bytes(1000, 1));
  writeFileSync(join(dataset, 'cats', '002.png'), bytes(10, 2));
  writeFileSync(join(dataset, 'dogs', 'big', 'large.bin'), bytes(70_000, 3));
  writeFileSync(join(dataset, 'dogs', 'empty.txt'), '');
  writeFileSync(join(dataset, '.DS_Store'), 'junk');
  writeFileSync(join(dataset, '.git', 'HEAD'), 'junk');
  grants = new GrantedPaths(false);
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

async function drain(streams: DataStreams, id: string, owner = 0) {
  const steps: DataStreamStep[] = [];
  for (;;) {
    const step = await streams.next(id, owner);
    steps.push(step);
    if (step.done) return steps;
  }
}

describe('listDataFiles', () => {
  it('lists every file under a folder by relative path, skipping hidden entries', async () => {
    const entries = await listDataFiles(dataset);
    expect(entries.map((e) => [e.relativePath, e.size])).toEqual([
      ['cats/001.png', 1000],
      ['cats/002.png', 10],
      ['dogs/big/large.bin', 70_000],
      ['dogs/empty.txt', 0],
    ]);
    expect(entries[0]!.path).toBe(join(dataset, 'cats', '001.png'));
  });

  it('lists a single file as itself, and refuses a folder with too many files', async () => {
    const path = join(dataset, 'cats', '001.png');
    expect(await listDataFiles(path)).toEqual([
      { name: '001.png', relativePath: '001.png', size: 1000, path },
    ]);
    await expect(listDataFiles(dataset, 3)).rejects.toMatchObject({ code: 'too-many-files' });
    await expect(listDataFiles(join(folder, 'nope'))).rejects.toMatchObject({ code: 'not-found' });
  });
});

describe('picking and dropping', () => {
  const dialogs = (answer: string[]) => ({ chooseOpen: async () => answer, chooseSave: async () => null });

  it('grants a picked folder for reading (not writing) and lists it', async () => {
    const entries = await pickDataFiles({ grants, dialogs: dialogs([dataset]) }, { directory: true });
    expect(entries).toHaveLength(4);
    expect(grants.allows(join(dataset, 'dogs', 'big', 'large.bin'))).toBe(true);
    expect(grants.allowsWrite(join(dataset, 'cats', '001.png'))).toBe(false);
    expect(grants.allows(folder)).toBe(false);
  });

  it('answers an empty list when the user cancels', async () => {
    expect(await pickDataFiles({ grants, dialogs: dialogs([]) }, {})).toEqual([]);
  });

  it('grants dropped files and folders, and refuses anything that is not a list of absolute paths', async () => {
    const file = join(dataset, 'cats', '002.png');
    const entries = await grantDroppedPaths({ grants, dialogs: dialogs([]) }, [file, join(dataset, 'dogs')]);
    expect(entries.map((e) => e.relativePath)).toEqual(['002.png', 'big/large.bin', 'empty.txt']);
    expect(grants.allows(file) && !grants.allows(join(dataset, 'cats', '001.png'))).toBe(true);
    const deps = { grants, dialogs: dialogs([]) };
    await expect(grantDroppedPaths(deps, 'pets')).rejects.toMatchObject({ code: 'invalid-request' });
    await expect(grantDroppedPaths(deps, ['pets'])).rejects.toMatchObject({ code: 'path-not-absolute' });
    await expect(grantDroppedPaths(deps, [`${dataset}\0`])).rejects.toMatchObject({ code: 'path-invalid' });
  });
});

describe('DataStreams', () => {
  it('streams a folder in chunks no larger than the chunk size, with rising progress', async () => {
    grants.grantFolder(dataset);
    const streams = new DataStreams({ grants, chunkBytes: 16 * 1024 });
    const info = await streams.open(dataset);
    expect(info).toMatchObject({ filesTotal: 4, bytesTotal: 71_010 });
    const steps = await drain(streams, info.id);
    const files = new Map<string, number[]>();
    let last: DataProgress = { bytesDone: 0, bytesTotal: 0, filesDone: 0, filesTotal: 0 };
    for (const step of steps) {
      expect(step.progress.bytesDone).toBeGreaterThanOrEqual(last.bytesDone);
      last = step.progress;
      if (step.done) continue;
      expect(step.chunk.bytes.byteLength).toBeLessThanOrEqual(16 * 1024);
      const sofar = files.get(step.chunk.relativePath) ?? [];
      expect(step.chunk.offset).toBe(sofar.length);
      files.set(step.chunk.relativePath, [...sofar, ...step.chunk.bytes]);
    }
    expect(last).toEqual({ bytesDone: 71_010, bytesTotal: 71_010, filesDone: 4, filesTotal: 4 });
    expect(steps.filter((s) => !s.done && s.chunk.relativePath === 'dogs/big/large.bin')).toHaveLength(5);
    expect(files.get('dogs/big/large.bin')).toEqual([...bytes(70_000, 3)]);
    expect(files.get('dogs/empty.txt')).toEqual([]);
    expect(streams.openCount).toBe(0);
    await expect(streams.next(info.id)).rejects.toMatchObject({ code: 'stream-unknown' });
  });

  it('stops when cancelled part way and forgets the request id', async () => {
    grants.grantFolder(dataset);
    const streams = new DataStreams({ grants, chunkBytes: 4096 });
    const { id } = await streams.open(dataset);
    await streams.next(id);
    const step = await streams.next(id);
    expect(step.done).toBe(false);
    expect(await streams.cancel(id)).toBe(true);
    expect(await streams.cancel(id)).toBe(false);
    expect(streams.openCount).toBe(0);
    await expect(streams.next(id)).rejects.toMatchObject({
      code: 'stream-unknown',
      message: 'That data transfer has already finished or was cancelled.',
    });
  });

  it('cancels a read that is under way without leaking its file', async () => {
    grants.grantFolder(dataset);
    const streams = new DataStreams({ grants, chunkBytes: 1024 });
    const { id } = await streams.open(join(dataset, 'dogs'));
    const pending = streams.next(id);
    await streams.cancel(id);
    await pending.catch((error) => expect(error).toMatchObject({ code: 'stream-unknown' }));
    expect(streams.openCount).toBe(0);
  });

  it('keeps each window to its own streams, and drops them all when the window goes', async () => {
    grants.grantFolder(dataset);
    const streams = new DataStreams({ grants });
    const { id } = await streams.open(dataset, 7);
    await expect(streams.next(id, 8)).rejects.toMatchObject({ code: 'stream-unknown' });
    expect(await streams.cancel(id, 8)).toBe(false);
    await streams.open(dataset, 7);
    await streams.cancelAll(7);
    expect(streams.openCount).toBe(0);
  });

  it('serves concurrent pulls on one stream in order', async () => {
    grants.grantFile(join(dataset, 'dogs', 'big', 'large.bin'), 'read');
    const streams = new DataStreams({ grants, chunkBytes: 20_000 });
    const { id } = await streams.open(join(dataset, 'dogs', 'big', 'large.bin'));
    const steps = await Promise.all([streams.next(id), streams.next(id), streams.next(id), streams.next(id)]);
    expect(steps.map((s) => (s.done ? -1 : s.chunk.offset))).toEqual([0, 20_000, 40_000, 60_000]);
  });

  it.each([
    ['a path never granted', () => join(folder, 'pets'), 'path-not-granted'],
    ['a relative path', () => 'pets', 'path-not-absolute'],
    ['a NUL byte', () => `${folder}\0`, 'path-invalid'],
    ['a number', () => 5, 'invalid-request'],
  ])('refuses to open %s', async (_what, path, code) => {
    const streams = new DataStreams({ grants });
    await expect(streams.open(path())).rejects.toMatchObject({ code });
  });

  it('refuses request ids that are not ids', async () => {
    const streams = new DataStreams({ grants });
    await expect(streams.next('../../etc')).rejects.toMatchObject({ code: 'invalid-request' });
    await expect(streams.next({})).rejects.toMatchObject({ code: 'invalid-request' });
  });
});
