// Data files and folders the user picked or dropped, or a project names: granted for reading, listed file by file (never read
// here; data-stream.ts sends their bytes in chunks).

import { promises as fs } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import type { DataEntry } from './contract.ts';
import type { Dialogs } from './dialogs.ts';
import { explain, fromFileSystemError } from './errors.ts';
import type { GrantedPaths } from './grants.ts';
import { readProjectText } from './project-files.ts';
import { checkPath, checkPathList, checkPickOptions, checkRef } from './validate.ts';

/** A folder with more files than this is refused rather than listed. */
export const MAX_LISTED_FILES = 2_000_000;

export interface DataDeps {
  grants: GrantedPaths;
  dialogs: Dialogs;
  maxFiles?: number;
}

/**
 * Every regular file under `root` (or `root` itself when it is a file), sorted by relative path.
 * Hidden entries (`.DS_Store`, `.git`) and symbolic links are skipped, so a link cycle cannot trap the walk.
 */
export async function listDataFiles(root: string, maxFiles = MAX_LISTED_FILES): Promise<DataEntry[]> {
  let info: Awaited<ReturnType<typeof fs.stat>>;
  try {
    info = await fs.stat(root);
  } catch (error) {
    throw fromFileSystemError(error, root, 'read');
  }
  if (info.isFile())
    return [{ name: basename(root), relativePath: basename(root), size: info.size, path: root }];
  if (!info.isDirectory()) throw explain.notAFolderOrFile(root);
  const found: DataEntry[] = [];
  const pending = [root];
  while (pending.length) {
    const folder = pending.pop()!;
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(folder, { withFileTypes: true });
    } catch (error) {
      throw fromFileSystemError(error, folder, 'read');
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) pending.push(path);
      else if (entry.isFile()) {
        if (found.length >= maxFiles) throw explain.tooManyFiles(maxFiles);
        const { size } = await fs.stat(path);
        found.push({ name: entry.name, relativePath: relative(root, path).split(sep).join('/'), size, path });
      }
    }
  }
  return found.sort((a, b) =>
    a.relativePath < b.relativePath ? -1 : a.relativePath > b.relativePath ? 1 : 0,
  );
}

/** Grants `path` for reading (a file, or a folder and all under it) and lists its files. */
async function grantAndList(deps: DataDeps, path: string): Promise<DataEntry[]> {
  const entries = await listDataFiles(path, deps.maxFiles);
  const single = entries.length === 1 && entries[0]!.path === path;
  if (single) deps.grants.grantFile(path, 'read');
  else deps.grants.grantFolder(path);
  return entries;
}

/** Asks for data files (or a folder) and lists them; empty when the user cancels. */
export async function pickDataFiles(deps: DataDeps, optionsInput: unknown): Promise<DataEntry[]> {
  const options = checkPickOptions(optionsInput);
  const chosen = await deps.dialogs.chooseOpen({
    title: options.directory ? 'Choose a data folder' : 'Choose data files',
    filters: options.filters,
    multiple: options.multiple,
    directory: options.directory,
  });
  const lists = [];
  for (const path of chosen) lists.push(await grantAndList(deps, checkPath(path)));
  return lists.flat();
}

/**
 * The data a project names (`dataset.path`, relative to the project's folder, as the CLI reads it), granted and
 * listed when its project was opened here: a project the user opened may read the data it was trained on, and
 * nothing else. Empty when the project names no data on disk.
 */
export async function projectDataFiles(deps: DataDeps, refInput: unknown): Promise<DataEntry[]> {
  const project = checkRef(refInput).path;
  if (!deps.grants.allows(project)) throw explain.notGranted(project);
  let named: unknown;
  try {
    named = (JSON.parse(await readProjectText(project)) as { dataset?: { source?: unknown; path?: unknown } })
      .dataset;
  } catch (error) {
    if (error instanceof SyntaxError) return [];
    throw error;
  }
  const dataset = named as { source?: unknown; path?: unknown } | null | undefined;
  if (dataset?.source !== 'path' || typeof dataset.path !== 'string' || dataset.path === '') return [];
  const path = checkPath(resolve(dirname(project), dataset.path));
  try {
    await fs.stat(path);
  } catch (error) {
    throw fromFileSystemError(error, path, 'read');
  }
  return grantAndList(deps, path);
}

/**
 * Files and folders dropped from the OS. The paths come from `webUtils.getPathForFile` in the preload, which
 * answers only for real dropped or picked File objects, so a page cannot name arbitrary paths through it.
 */
export async function grantDroppedPaths(deps: DataDeps, pathsInput: unknown): Promise<DataEntry[]> {
  const paths = checkPathList(pathsInput);
  const lists = [];
  for (const path of paths) lists.push(await grantAndList(deps, path));
  return lists.flat();
}
