// Project files: open through a dialog, reopen from the recent list or the OS, save (atomically) where the
// user chose. Plain functions over the file system; main.ts wires them to IPC.

import { promises as fs } from 'node:fs';
import { basename } from 'node:path';
import { type AtomicWriteHooks, writeFileAtomic } from './atomic-write.ts';
import type { FileFilter, FileRef, OpenedFile } from './contract.ts';
import type { Dialogs } from './dialogs.ts';
import { explain, fromFileSystemError } from './errors.ts';
import type { GrantedPaths } from './grants.ts';
import type { RecentFiles } from './recent-files.ts';
import { checkFileName, checkOptionalRef, checkPath, checkRef, checkText, LIMITS } from './validate.ts';

export const PROJECT_EXTENSION = 'ncproj';
export const PROJECT_FILTERS: FileFilter[] = [
  { name: 'NeuroCanvas project', extensions: [PROJECT_EXTENSION, 'json'] },
];

export interface ProjectDeps {
  grants: GrantedPaths;
  recent: RecentFiles;
  dialogs: Dialogs;
  /** Test hooks for the atomic write. */
  writeHooks?: AtomicWriteHooks;
}

export function refFor(path: string): FileRef & { path: string } {
  return { id: path, name: basename(path), path };
}

/** Reads a project's text: a regular file, at most LIMITS.projectBytes, UTF-8 (a BOM is dropped). */
export async function readProjectText(path: string): Promise<string> {
  try {
    const info = await fs.stat(path);
    if (!info.isFile()) throw explain.notAFile(path);
    if (info.size > LIMITS.projectBytes)
      throw explain.tooLarge(basename(path), info.size, LIMITS.projectBytes);
    const text = await fs.readFile(path, 'utf8');
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch (error) {
    throw fromFileSystemError(error, path, 'read');
  }
}

/** Asks for a project file and reads it; null when the user cancels. */
export async function openProject(deps: ProjectDeps): Promise<OpenedFile | null> {
  const [chosen] = await deps.dialogs.chooseOpen({
    title: 'Open a NeuroCanvas project',
    filters: PROJECT_FILTERS,
    multiple: false,
    directory: false,
  });
  if (!chosen) return null;
  const path = checkPath(chosen);
  deps.grants.grantFile(path, 'read-write');
  return { ref: refFor(path), text: await readProjectText(path) };
}

/** Reopens a file granted this run or listed in the recent files; null when the file is gone. */
export async function openRecentProject(deps: ProjectDeps, refInput: unknown): Promise<OpenedFile | null> {
  const { path } = checkRef(refInput);
  if (!deps.grants.allows(path) && !(await deps.recent.has(path))) throw explain.notGranted(path);
  deps.grants.grantFile(path, 'read-write');
  try {
    return { ref: refFor(path), text: await readProjectText(path) };
  } catch (error) {
    if ((error as { code?: string }).code === 'not-found') return null;
    throw error;
  }
}

/**
 * Writes a project. With a ref the user may write to (opened or saved this run, or on the recent list), it
 * writes there without asking; otherwise it asks where. Null when the user cancels.
 */
export async function saveProject(
  deps: ProjectDeps,
  textInput: unknown,
  nameInput: unknown,
  refInput: unknown,
): Promise<FileRef | null> {
  const text = checkText(textInput, 'The project');
  const suggestedName = checkFileName(nameInput);
  const ref = checkOptionalRef(refInput);
  let target: string | null = null;
  if (ref && (deps.grants.allowsWrite(ref.path) || (await deps.recent.has(ref.path)))) target = ref.path;
  else {
    const chosen = await deps.dialogs.chooseSave({
      title: 'Save the project',
      defaultName: suggestedName,
      ...(ref ? { defaultPath: ref.path } : {}),
      filters: PROJECT_FILTERS,
    });
    if (!chosen) return null;
    target = checkPath(chosen);
  }
  try {
    await writeFileAtomic(target, text, deps.writeHooks);
  } catch (error) {
    throw fromFileSystemError(error, target, 'write');
  }
  deps.grants.grantFile(target, 'read-write');
  return refFor(target);
}

/**
 * A project the OS handed us (double-click, `open-file`, a second launch's argv): granted when it is an
 * existing regular file; null otherwise.
 */
export async function acceptProjectFromOs(
  grants: GrantedPaths,
  pathInput: string,
): Promise<(FileRef & { path: string }) | null> {
  let path: string;
  try {
    path = checkPath(pathInput);
    if (!(await fs.stat(path)).isFile()) return null;
  } catch {
    return null;
  }
  grants.grantFile(path, 'read-write');
  return refFor(path);
}
