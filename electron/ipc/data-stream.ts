// Streams a granted file or folder to the renderer in chunks, pulled one at a time under a request id, with
// progress, cancellable: a multi-gigabyte dataset never crosses IPC as one blob, and the renderer's pace sets
// how much is in flight (one chunk).

import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { DataEntry, DataProgress, DataStreamInfo, DataStreamStep } from './contract.ts';
import { listDataFiles } from './data-files.ts';
import { explain, fromFileSystemError } from './errors.ts';
import type { GrantedPaths } from './grants.ts';
import { checkPath, checkStreamId } from './validate.ts';

export const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024;
/** Streams one window may hold open at once; a renderer that forgets to finish cannot exhaust file handles. */
export const MAX_OPEN_STREAMS = 16;

interface OpenStream {
  owner: number;
  files: DataEntry[];
  fileIndex: number;
  offset: number;
  handle: fs.FileHandle | null;
  progress: DataProgress;
  /** The read in progress: a second `next` waits for it, so chunks never interleave. */
  reading: Promise<unknown>;
}

export interface DataStreamOptions {
  grants: GrantedPaths;
  chunkBytes?: number;
}

export class DataStreams {
  private readonly streams = new Map<string, OpenStream>();
  private readonly chunkBytes: number;

  constructor(private readonly options: DataStreamOptions) {
    this.chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  }

  /** Starts reading `path` (a granted file or folder) for the window `owner`. */
  async open(pathInput: unknown, owner = 0): Promise<DataStreamInfo> {
    const path = checkPath(pathInput);
    if (!this.options.grants.allows(path)) throw explain.notGranted(path);
    const mine = [...this.streams.values()].filter((s) => s.owner === owner).length;
    if (mine >= MAX_OPEN_STREAMS)
      throw explain.invalidRequest(`more than ${MAX_OPEN_STREAMS} data transfers were left open`);
    const files = await listDataFiles(path);
    const bytesTotal = files.reduce((sum, f) => sum + f.size, 0);
    const id = randomUUID();
    this.streams.set(id, {
      owner,
      files,
      fileIndex: 0,
      offset: 0,
      handle: null,
      progress: { bytesDone: 0, bytesTotal, filesDone: 0, filesTotal: files.length },
      reading: Promise.resolve(),
    });
    return { id, filesTotal: files.length, bytesTotal };
  }

  private find(idInput: unknown, owner: number): [string, OpenStream | undefined] {
    const id = checkStreamId(idInput);
    const stream = this.streams.get(id);
    return [id, stream && stream.owner === owner ? stream : undefined];
  }

  /** The next chunk of stream `id`, or `done` (after which the id is forgotten). */
  async next(idInput: unknown, owner = 0): Promise<DataStreamStep> {
    const [id, stream] = this.find(idInput, owner);
    if (!stream) throw explain.unknownStream();
    const step = stream.reading.then(() => this.read(id, stream));
    stream.reading = step.catch(() => undefined);
    return step;
  }

  private async read(id: string, stream: OpenStream): Promise<DataStreamStep> {
    if (this.streams.get(id) !== stream) throw explain.unknownStream();
    const file = stream.files[stream.fileIndex];
    if (!file) {
      this.streams.delete(id);
      return { done: true, progress: { ...stream.progress } };
    }
    try {
      stream.handle ??= await fs.open(file.path, 'r');
      const buffer = Buffer.allocUnsafe(Math.min(this.chunkBytes, Math.max(0, file.size - stream.offset)));
      const { bytesRead } = buffer.length
        ? await stream.handle.read(buffer, 0, buffer.length, stream.offset)
        : { bytesRead: 0 };
      const offset = stream.offset;
      stream.offset += bytesRead;
      stream.progress.bytesDone += bytesRead;
      // A file that shrank while we read it ends early rather than looping forever.
      const fileDone = stream.offset >= file.size || bytesRead === 0;
      if (fileDone) {
        await stream.handle.close();
        stream.handle = null;
        stream.fileIndex += 1;
        stream.offset = 0;
        stream.progress.filesDone += 1;
      }
      return {
        done: false,
        chunk: {
          relativePath: file.relativePath,
          fileSize: file.size,
          offset,
          bytes: buffer.subarray(0, bytesRead),
          fileDone,
        },
        progress: { ...stream.progress },
      };
    } catch (error) {
      // Cancelled while this read was under way: its handle was closed under it.
      if (this.streams.get(id) !== stream) throw explain.unknownStream();
      await this.cancel(id, stream.owner);
      throw fromFileSystemError(error, file.path, 'read');
    }
  }

  /** Stops stream `id` and closes its file; false when it was not open. */
  async cancel(idInput: unknown, owner = 0): Promise<boolean> {
    const [id, stream] = this.find(idInput, owner);
    if (!stream) return false;
    this.streams.delete(id);
    await stream.handle?.close().catch(() => undefined);
    return true;
  }

  /** Stops every stream of a window (it closed or reloaded). */
  async cancelAll(owner: number): Promise<void> {
    for (const [id, stream] of this.streams) if (stream.owner === owner) await this.cancel(id, owner);
  }

  get openCount(): number {
    return this.streams.size;
  }
}
