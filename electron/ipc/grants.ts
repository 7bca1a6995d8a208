// The allowlist of paths this run may touch: files and folders the user picked in a dialog, dropped, or opened
// from the recent list. Nothing else is read or written, whatever the renderer asks.

import { isAbsolute, relative, resolve } from 'node:path';

export class GrantedPaths {
  private readonly files = new Set<string>();
  private readonly writable = new Set<string>();
  private readonly folders = new Set<string>();

  constructor(
    /** Windows and macOS file systems usually ignore case; comparing that way errs on their side. */
    private readonly ignoreCase = process.platform === 'win32' || process.platform === 'darwin',
  ) {}

  private key(path: string): string {
    const full = resolve(path);
    return this.ignoreCase ? full.toLowerCase() : full;
  }

  /**
   * One file: `read-write` for projects picked in an open or save dialog or opened from the OS (so Save writes
   * back), `read` for data files picked or dropped.
   */
  grantFile(path: string, access: 'read' | 'read-write'): void {
    const key = this.key(path);
    this.files.add(key);
    if (access === 'read-write') this.writable.add(key);
  }

  /** A folder and everything under it, to read (a dataset the user picked or dropped). */
  grantFolder(path: string): void {
    this.folders.add(this.key(path));
  }

  /** True when `path` is a granted file, or lies inside a granted folder. */
  allows(path: string): boolean {
    const key = this.key(path);
    if (this.files.has(key)) return true;
    for (const folder of this.folders) {
      if (key === folder) return true;
      const inside = relative(folder, key);
      if (inside && !inside.startsWith('..') && !isAbsolute(inside)) return true;
    }
    return false;
  }

  /** True only for files granted `read-write`: a dataset or a dropped file is never overwritten. */
  allowsWrite(path: string): boolean {
    return this.writable.has(this.key(path));
  }
}
