// Saving bytes the renderer made (a PyTorch state_dict .pt, safetensors, model.py, an image): ask where,
// then write atomically.

import { extname } from 'node:path';
import { type AtomicWriteHooks, writeFileAtomic } from './atomic-write.ts';
import type { FileFilter } from './contract.ts';
import type { Dialogs } from './dialogs.ts';
import { fromFileSystemError } from './errors.ts';
import type { GrantedPaths } from './grants.ts';
import { checkBytes, checkFileName, checkFilters, checkPath } from './validate.ts';

export interface BinaryDeps {
  grants: GrantedPaths;
  dialogs: Dialogs;
  writeHooks?: AtomicWriteHooks;
}

/** Filters from the renderer, or one made from the suggested name's extension. */
function filtersFor(filters: FileFilter[], name: string): FileFilter[] {
  if (filters.length) return filters;
  const extension = extname(name).slice(1);
  return extension ? [{ name: `${extension} file`, extensions: [extension] }] : [];
}

/** Asks where to save `data` and writes it there; false when the user cancels. */
export async function saveBinary(
  deps: BinaryDeps,
  dataInput: unknown,
  nameInput: unknown,
  filtersInput: unknown,
): Promise<boolean> {
  const data = checkBytes(dataInput, 'The file');
  const name = checkFileName(nameInput);
  const filters = filtersFor(checkFilters(filtersInput), name);
  const chosen = await deps.dialogs.chooseSave({ title: `Save ${name}`, defaultName: name, filters });
  if (!chosen) return false;
  const target = checkPath(chosen);
  try {
    await writeFileAtomic(target, data, deps.writeHooks);
  } catch (error) {
    throw fromFileSystemError(error, target, 'write');
  }
  deps.grants.grantFile(target, 'read-write');
  return true;
}
