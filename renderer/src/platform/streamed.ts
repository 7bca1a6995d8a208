// Files the desktop app granted (dropped or picked) read through the main process's data stream: one stream per
// dropped folder or file, chunks pulled one at a time with progress and a Cancel, so a large data set never
// crosses IPC as one blob and never goes through the renderer's own file reading.

import type { DataItem } from './drops.ts';

/** What the desktop bridge's `streamData` gives (electron/ipc/contract.ts `DataStream`, mirrored). */
export interface StreamedChunk {
  relativePath: string;
  fileSize: number;
  offset: number;
  bytes: Uint8Array;
  fileDone: boolean;
}

export interface StreamProgress {
  bytesDone: number;
  bytesTotal: number;
  filesDone: number;
  filesTotal: number;
}

export interface DataStream {
  id: string;
  filesTotal: number;
  bytesTotal: number;
  next(): Promise<
    { done: false; chunk: StreamedChunk; progress: StreamProgress } | { done: true; progress: StreamProgress }
  >;
  cancel(): Promise<void>;
}

export interface StreamingHost {
  streamData(path: string): Promise<DataStream>;
}

/** The desktop bridge when it can stream (absent in a browser). */
export function streamingHost(): StreamingHost | null {
  const bridge = (globalThis as { neurocanvas?: Partial<StreamingHost> }).neurocanvas;
  return typeof bridge?.streamData === 'function' ? (bridge as StreamingHost) : null;
}

const slashes = (path: string) => path.replace(/\\/g, '/');

/**
 * The granted roots to stream and the items under each, keyed by their path inside that root. An item whose
 * relative path has folders came from a dropped folder: its root is its path less the relative part; a top-level
 * item is streamed as its own file (so a folder is never read wider than what was dropped).
 */
export function streamRoots(items: readonly DataItem[]): Map<string, Map<string, DataItem>> {
  const roots = new Map<string, Map<string, DataItem>>();
  for (const item of items) {
    if (!item.path) throw new Error(`${item.relativePath} has no path on disk to stream from`);
    const path = slashes(item.path);
    const relative = slashes(item.relativePath);
    const nested = relative.includes('/') && path.endsWith(`/${relative}`);
    const root = nested ? item.path.slice(0, item.path.length - relative.length - 1) : item.path;
    const key = nested ? relative : (path.split('/').pop() ?? relative);
    const under = roots.get(root) ?? new Map<string, DataItem>();
    under.set(key, item);
    roots.set(root, under);
  }
  return roots;
}

/**
 * Reads every item through the stream; resolves with each item's bytes. `onProgress` gets the bytes done of all
 * roots together; an aborted `signal` cancels the stream in flight and rejects.
 */
export async function readStreamed(
  host: StreamingHost,
  items: readonly DataItem[],
  options: { signal?: AbortSignal; onProgress?: (fraction: number, message: string) => void } = {},
): Promise<Map<DataItem, Uint8Array>> {
  const out = new Map<DataItem, Uint8Array>();
  const total = items.reduce((sum, item) => sum + item.size, 0);
  let before = 0;
  for (const [root, wanted] of streamRoots(items)) {
    const stream = await host.streamData(root);
    let done = 0;
    try {
      for (;;) {
        if (options.signal?.aborted) throw new DOMException('The import was cancelled.', 'AbortError');
        const step = await stream.next();
        done = step.progress.bytesDone;
        if (step.done) break;
        const { chunk } = step;
        const item = wanted.get(chunk.relativePath);
        if (item) {
          let bytes = out.get(item);
          if (!bytes) {
            bytes = new Uint8Array(chunk.fileSize);
            out.set(item, bytes);
          }
          bytes.set(chunk.bytes, chunk.offset);
        }
        options.onProgress?.(
          total > 0 ? Math.min(1, (before + done) / total) : 1,
          `Reading ${chunk.relativePath}`,
        );
      }
    } catch (error) {
      await stream.cancel().catch(() => undefined);
      throw error;
    }
    before += done;
  }
  for (const item of items)
    if (!out.has(item)) throw new Error(`${item.relativePath} was not found when it was read again`);
  return out;
}
