// Writes a file so that a crash, a full disk or a power cut leaves either the old file or the new one, never
// half of each: write a temporary file in the same folder, flush it to disk, then rename it over the target.

import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Points where a test can inject a failure, to prove the old file survives. */
export interface AtomicWriteHooks {
  /** Called after the data is written to the temporary file, before it is flushed and renamed. */
  afterWrite?(tempPath: string): Promise<void> | void;
}

/** The temporary name next to `target`: hidden, unique, and recognisable as ours. */
export function temporaryPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.ncsave`);
}

export async function writeFileAtomic(
  target: string,
  data: string | Uint8Array,
  hooks: AtomicWriteHooks = {},
): Promise<void> {
  const temp = temporaryPathFor(target);
  // Keep the target's permission bits when it already exists.
  const mode = await fs.stat(target).then(
    (s) => s.mode & 0o777,
    () => 0o666,
  );
  const handle = await fs.open(temp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, mode);
  let renamed = false;
  try {
    try {
      await handle.writeFile(data);
      await hooks.afterWrite?.(temp);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, target);
    renamed = true;
    await syncFolder(dirname(target));
  } finally {
    if (!renamed) await fs.rm(temp, { force: true }).catch(() => undefined);
  }
}

/** Flushes the folder entry so the rename itself survives a power cut (not possible, nor needed, on Windows). */
async function syncFolder(folder: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await fs.open(folder, 'r').catch(() => null);
  if (!handle) return;
  await handle.sync().catch(() => undefined);
  await handle.close();
}
