// Desktop data: drops read through the main process's stream (the dropped folder and a loose file are granted and
// listed as the drop handler does, then the renderer's reader streams each dropped root in small chunks, never the
// folder around a loose file, and gets every file's bytes back exactly, with progress; a cancel stops the stream),
// and the data a reopened project names granted and listed again, and nothing else.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DataEntry } from '../../electron/ipc/contract.ts';
import { grantDroppedPaths, projectDataFiles } from '../../electron/ipc/data-files.ts';
import { DataStreams } from '../../electron/ipc/data-stream.ts';
import { GrantedPaths } from '../../electron/ipc/grants.ts';
import { refFor } from '../../electron/ipc/project-files.ts';
import { fromPicked, relativeToRoot } from '../../renderer/src/platform/drops.ts';
import { readStreamed, type StreamingHost, streamRoots } from '../../renderer/src/platform/streamed.ts';

let folder: string;
const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 255);

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'neurocanvas-drops-'));
  mkdirSync(join(folder, 'pets', 'cats'), { recursive: true });
  mkdirSync(join(folder, 'pets', 'dogs'), { recursive: true });
  writeFileSync(join(folder, 'pets', 'cats', '001.png'), bytes(1000, 1));
  writeFileSync(join(folder, 'pets', 'dogs', '002.png'), bytes(70_000, 2));
  writeFileSync(join(folder, 'pets', 'dogs', 'empty.txt'), '');
  writeFileSync(join(folder, 'labels.csv'), 'a,b\n1,2\n');
  // Beside the loose file, never dropped: streaming must not read it.
  writeFileSync(join(folder, 'private.bin'), bytes(50, 9));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

/** A listed entry as the bridge hands it to the page (its `read` is the old whole-file path, unused here). */
const picked = (entry: DataEntry) => ({
  ...entry,
  read: async () => {
    throw new Error(`${entry.relativePath} was read whole instead of streamed`);
  },
});

/** No dialog is shown for a drop. */
const noDialogs = { chooseOpen: async () => [], chooseSave: async () => null };

/** The desktop bridge's streamData on the real main-process streams, counting what was opened. */
function host(streams: DataStreams, opened: string[]): StreamingHost {
  return {
    async streamData(path) {
      opened.push(path);
      const info = await streams.open(path);
      return {
        ...info,
        next: () => streams.next(info.id),
        cancel: async () => {
          await streams.cancel(info.id);
        },
      };
    },
  };
}

describe('desktop drops through the main-process stream', () => {
  it('streams each dropped root and gives back every file exactly, with progress', async () => {
    const grants = new GrantedPaths(false);
    const streams = new DataStreams({ grants, chunkBytes: 4096 });
    // What the preload's droppedFiles returns for a dropped folder: granted, listed, relative to it.
    const listed = await grantDroppedPaths({ grants, dialogs: noDialogs }, [join(folder, 'pets')]);
    const dropped = relativeToRoot(listed.map(picked).map(fromPicked), `${listed.length} files`);
    expect(dropped.items.map((i) => i.relativePath)).toEqual([
      'cats/001.png',
      'dogs/002.png',
      'dogs/empty.txt',
    ]);
    expect([...streamRoots(dropped.items).keys()]).toEqual([join(folder, 'pets')]);

    const opened: string[] = [];
    const progress: number[] = [];
    const read = await readStreamed(host(streams, opened), dropped.items, {
      onProgress: (fraction) => progress.push(fraction),
    });
    expect(opened).toEqual([join(folder, 'pets')]);
    for (const item of dropped.items)
      expect(Buffer.from(read.get(item)!).equals(readFileSync(item.path!))).toBe(true);
    expect(read.get(dropped.items[2]!)).toHaveLength(0);
    // 1000 + 70,000 bytes in 4 KiB chunks: many steps, rising to 1.
    expect(progress.length).toBeGreaterThan(15);
    expect(progress.every((f, i) => i === 0 || f >= progress[i - 1]!)).toBe(true);
    expect(progress.at(-1)).toBe(1);
  });

  it('streams a loose dropped file as itself, never its folder', async () => {
    const grants = new GrantedPaths(false);
    const streams = new DataStreams({ grants });
    const listed = await grantDroppedPaths({ grants, dialogs: noDialogs }, [
      join(folder, 'labels.csv'),
      join(folder, 'pets'),
    ]);
    const dropped = relativeToRoot(listed.map(picked).map(fromPicked), `${listed.length} files`);
    const opened: string[] = [];
    const read = await readStreamed(host(streams, opened), dropped.items);
    expect(opened.sort()).toEqual([join(folder, 'labels.csv'), join(folder, 'pets')].sort());
    const csv = dropped.items.find((i) => i.relativePath === 'labels.csv')!;
    expect(new TextDecoder().decode(read.get(csv))).toBe('a,b\n1,2\n');
    expect(read.size).toBe(4);
    // The folder around the loose file was not granted, so it could not have been streamed.
    expect(grants.allows(join(folder, 'private.bin'))).toBe(false);
  });

  it('cancels the stream in flight when the import is cancelled', async () => {
    const grants = new GrantedPaths(false);
    const streams = new DataStreams({ grants, chunkBytes: 1024 });
    const listed = await grantDroppedPaths({ grants, dialogs: noDialogs }, [join(folder, 'pets')]);
    const dropped = relativeToRoot(listed.map(picked).map(fromPicked), 'pets');
    const abort = new AbortController();
    const opened: string[] = [];
    let id = '';
    const base = host(streams, opened);
    const watching: StreamingHost = {
      async streamData(path) {
        const stream = await base.streamData(path);
        id = stream.id;
        return stream;
      },
    };
    let chunks = 0;
    const reading = readStreamed(watching, dropped.items, {
      signal: abort.signal,
      onProgress: () => {
        if (++chunks === 3) abort.abort();
      },
    });
    await expect(reading).rejects.toThrow('cancelled');
    // The main process forgot the stream: asking it for more is refused.
    await expect(streams.next(id)).rejects.toThrow();
  });
});

describe('the data a reopened project names', () => {
  const project = (dataset: unknown, name = 'run.ncproj') => {
    const path = join(folder, name);
    writeFileSync(path, JSON.stringify({ format: 'neurocanvas-project', version: 1, dataset }));
    return path;
  };

  it('grants and lists the saved data path (relative to the project), which then streams', async () => {
    const grants = new GrantedPaths(false);
    const path = project({ source: 'path', path: 'pets' });
    grants.grantFile(path, 'read-write');
    expect(grants.allows(join(folder, 'pets', 'cats', '001.png'))).toBe(false);
    const listed = await projectDataFiles({ grants, dialogs: noDialogs }, refFor(path));
    expect(listed.map((e) => e.relativePath)).toEqual(['cats/001.png', 'dogs/002.png', 'dogs/empty.txt']);
    expect(grants.allows(join(folder, 'pets', 'dogs', '002.png'))).toBe(true);
    expect(grants.allows(join(folder, 'private.bin'))).toBe(false);
    const items = relativeToRoot(listed.map(picked).map(fromPicked), 'pets').items;
    const read = await readStreamed(host(new DataStreams({ grants }), []), items);
    expect(
      Buffer.from(read.get(items[1]!)!).equals(readFileSync(join(folder, 'pets', 'dogs', '002.png'))),
    ).toBe(true);
    // An absolute saved path works the same.
    const absolute = project({ source: 'path', path: join(folder, 'labels.csv') }, 'other.ncproj');
    grants.grantFile(absolute, 'read-write');
    expect(
      (await projectDataFiles({ grants, dialogs: noDialogs }, refFor(absolute))).map((e) => e.name),
    ).toEqual(['labels.csv']);
  });

  it('lists nothing for the built-in digits, refuses a project that was not opened, says when the data is gone', async () => {
    const grants = new GrantedPaths(false);
    const deps = { grants, dialogs: noDialogs };
    const builtin = project({ source: 'builtin', name: 'mnist' });
    grants.grantFile(builtin, 'read-write');
    expect(await projectDataFiles(deps, refFor(builtin))).toEqual([]);
    const notOpened = project({ source: 'path', path: 'pets' }, 'elsewhere.ncproj');
    await expect(projectDataFiles(deps, refFor(notOpened))).rejects.toMatchObject({
      code: 'path-not-granted',
    });
    expect(grants.allows(join(folder, 'pets'))).toBe(false);
    const gone = project({ source: 'path', path: 'moved-away' }, 'gone.ncproj');
    grants.grantFile(gone, 'read-write');
    await expect(projectDataFiles(deps, refFor(gone))).rejects.toMatchObject({ code: 'not-found' });
  });
});
