// Input checks for every IPC handler: what arrives from the renderer is untrusted until it passes here.

import { isAbsolute, resolve } from 'node:path';
import type { FileFilter, FileRef, PickDataOptions } from './contract.ts';
import { explain } from './errors.ts';

export const LIMITS = {
  /** A project file, as UTF-8 bytes. */
  projectBytes: 200 * 1024 * 1024,
  /** A checkpoint or exported file. */
  binaryBytes: 2 * 1024 * 1024 * 1024 - 1,
  pathLength: 4096,
  fileNameLength: 255,
  filters: 16,
  extensions: 32,
  droppedPaths: 1000,
} as const;

/** A path from the renderer: a string, absolute, no NUL byte; returned normalised (no `..` left). */
export function checkPath(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0)
    throw explain.invalidRequest('a file location is missing');
  if (value.includes('\0')) throw explain.badPath();
  if (value.length > LIMITS.pathLength) throw explain.badPath();
  if (!isAbsolute(value)) throw explain.notAbsolute();
  return resolve(value);
}

export function checkText(value: unknown, what: string, limit: number = LIMITS.projectBytes): string {
  if (typeof value !== 'string') throw explain.invalidRequest(`${what} is not text`);
  // NOTE: a UTF-8 byte is at most 3 per UTF-16 unit; skip the exact count when even that fits.
  if (value.length * 3 > limit) {
    const bytes = Buffer.byteLength(value, 'utf8');
    if (bytes > limit) throw explain.tooLarge(what, bytes, limit);
  }
  return value;
}

export function checkBytes(value: unknown, what: string, limit: number = LIMITS.binaryBytes): Uint8Array {
  if (!(value instanceof Uint8Array)) throw explain.invalidRequest(`${what} is not binary data`);
  if (value.byteLength > limit) throw explain.tooLarge(what, value.byteLength, limit);
  return value;
}

/** A suggested file name: a plain name, no folders, no NUL, not `.`/`..`. */
export function checkFileName(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw explain.invalidRequest('the file name is missing');
  if (value.length > LIMITS.fileNameLength || /[\0/\\]/.test(value) || value === '.' || value === '..')
    throw explain.badPath();
  return value;
}

export function checkFilters(value: unknown): FileFilter[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > LIMITS.filters)
    throw explain.invalidRequest('the file types are not a list');
  return value.map((item: unknown) => {
    const f = item as Partial<FileFilter> | null;
    if (!f || typeof f.name !== 'string' || f.name.length > 200 || !Array.isArray(f.extensions))
      throw explain.invalidRequest('a file type has no name or extensions');
    if (f.extensions.length > LIMITS.extensions)
      throw explain.invalidRequest('a file type has too many extensions');
    const extensions = f.extensions.map((e: unknown) => {
      if (typeof e !== 'string' || !/^(\*|[A-Za-z0-9_.-]{1,32})$/.test(e))
        throw explain.invalidRequest('a file extension is not valid');
      return e.replace(/^\./, '');
    });
    return { name: f.name, extensions };
  });
}

/** A file reference from the renderer; on the desktop it must carry an absolute `path`. */
export function checkRef(value: unknown): FileRef & { path: string } {
  const ref = value as Partial<FileRef> | null;
  if (!ref || typeof ref !== 'object') throw explain.invalidRequest('the file reference is missing');
  if (typeof ref.name !== 'string' || typeof ref.id !== 'string')
    throw explain.invalidRequest('the file reference has no name');
  if (ref.path === undefined) throw explain.invalidRequest('the file reference has no location');
  const path = checkPath(ref.path);
  return { id: ref.id, name: ref.name, path };
}

/** A file reference or null (save without a known location). */
export function checkOptionalRef(value: unknown): (FileRef & { path: string }) | null {
  if (value === null || value === undefined) return null;
  const ref = value as Partial<FileRef>;
  // A ref without a path (e.g. made in the web build and restored from autosave) means "ask where".
  if (typeof ref === 'object' && ref.path === undefined) return null;
  return checkRef(value);
}

export function checkPickOptions(value: unknown): Required<PickDataOptions> {
  const o = (value ?? {}) as Partial<PickDataOptions>;
  if (typeof o !== 'object') throw explain.invalidRequest('the data options are not an object');
  if (o.multiple !== undefined && typeof o.multiple !== 'boolean')
    throw explain.invalidRequest('"multiple" is not true or false');
  if (o.directory !== undefined && typeof o.directory !== 'boolean')
    throw explain.invalidRequest('"directory" is not true or false');
  return { filters: checkFilters(o.filters), multiple: o.multiple === true, directory: o.directory === true };
}

export function checkPathList(value: unknown): string[] {
  if (!Array.isArray(value)) throw explain.invalidRequest('the dropped files are not a list');
  if (value.length > LIMITS.droppedPaths) throw explain.invalidRequest('too many files were dropped at once');
  return value.map(checkPath);
}

export function checkStreamId(value: unknown): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(value))
    throw explain.invalidRequest('the data transfer id is not valid');
  return value;
}
