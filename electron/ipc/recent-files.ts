// The recent-files list, kept as a small JSON file in userData: newest first, capped, one entry per file,
// and files that no longer exist are dropped when the list is read.

import { promises as fs } from 'node:fs';
import { basename, resolve } from 'node:path';
import { writeFileAtomic } from './atomic-write.ts';
import type { FileRef, RecentFile } from './contract.ts';

interface StoredEntry {
  path: string;
  name: string;
  openedAt: number;
}

export interface RecentFilesOptions {
  limit?: number;
  ignoreCase?: boolean;
  now?: () => number;
}

const isEntry = (e: unknown): e is StoredEntry => {
  const x = e as Partial<StoredEntry> | null;
  return !!x && typeof x.path === 'string' && typeof x.name === 'string' && typeof x.openedAt === 'number';
};

async function isFile(path: string): Promise<boolean> {
  return fs.stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

export class RecentFiles {
  private readonly limit: number;
  private readonly ignoreCase: boolean;
  private readonly now: () => number;
  /** Serialises reads and writes, so two quick adds never lose one another. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly file: string,
    options: RecentFilesOptions = {},
  ) {
    this.limit = options.limit ?? 10;
    this.ignoreCase = options.ignoreCase ?? (process.platform === 'win32' || process.platform === 'darwin');
    this.now = options.now ?? Date.now;
  }

  private key(path: string): string {
    return this.ignoreCase ? resolve(path).toLowerCase() : resolve(path);
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** The stored entries; a missing or damaged file reads as an empty list. */
  private async read(): Promise<StoredEntry[]> {
    try {
      const parsed = JSON.parse(await fs.readFile(this.file, 'utf8')) as { files?: unknown };
      return Array.isArray(parsed.files) ? parsed.files.filter(isEntry) : [];
    } catch {
      return [];
    }
  }

  private async write(entries: StoredEntry[]): Promise<void> {
    await writeFileAtomic(this.file, `${JSON.stringify({ version: 1, files: entries }, null, 2)}\n`);
  }

  private static toRecent(e: StoredEntry): RecentFile {
    return { ref: { id: e.path, name: e.name, path: e.path }, openedAt: e.openedAt };
  }

  /** Newest first; entries whose file is gone are removed (and the pruned list saved). */
  list(): Promise<RecentFile[]> {
    return this.serial(async () => {
      const entries = await this.read();
      const present = (await Promise.all(entries.map((e) => isFile(e.path)))).map(
        (ok, i) => ok && entries[i],
      );
      const kept = present.filter((e): e is StoredEntry => !!e);
      if (kept.length !== entries.length) await this.write(kept).catch(() => undefined);
      return kept.map(RecentFiles.toRecent);
    });
  }

  /** Puts `ref` first (moving it if already listed) and trims the list to its limit. */
  add(ref: FileRef & { path: string }): Promise<RecentFile[]> {
    return this.serial(async () => {
      const key = this.key(ref.path);
      const entry: StoredEntry = {
        path: resolve(ref.path),
        name: ref.name || basename(ref.path),
        openedAt: this.now(),
      };
      const rest = (await this.read()).filter((e) => this.key(e.path) !== key);
      const entries = [entry, ...rest].slice(0, this.limit);
      await this.write(entries);
      return entries.map(RecentFiles.toRecent);
    });
  }

  /** True when `path` is on the list (the list is part of the allowlist of paths). */
  has(path: string): Promise<boolean> {
    return this.serial(async () => {
      const key = this.key(path);
      return (await this.read()).some((e) => this.key(e.path) === key);
    });
  }

  clear(): Promise<void> {
    return this.serial(() => this.write([]));
  }
}
