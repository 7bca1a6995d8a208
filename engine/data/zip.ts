// Opens a .zip (image folders, .npz) as a list of DataFiles read lazily, one entry at a time.

import { CheckpointError } from '../io/torch/errors.ts';
import { isZip, openZip, type ZipArchive } from '../io/torch/zip-read.ts';
import { DataError } from './errors.ts';
import type { DataFile } from './sources.ts';

export { isZip };

/**
 * The archive's files (folders and macOS `__MACOSX/` resource forks left out), named `inner/path` and read on
 * demand. Errors name `archive.zip: inner/path`.
 * NOTE: the zip reader is the checkpoint one in engine/io/torch (central directory, ZIP64, CRC checks); a zip
 * needs its directory at the end, so the whole archive is read into memory first.
 */
export async function zipEntries(file: DataFile): Promise<DataFile[]> {
  const bytes = await file.bytes();
  let archive: ZipArchive;
  try {
    archive = openZip(bytes);
  } catch (error) {
    throw fromZipError(error, file.name);
  }
  return archive.names
    .filter((name) => !name.endsWith('/') && !name.startsWith('__MACOSX/'))
    .map((name) => ({
      name,
      size: archive.entries.get(name)!.size,
      bytes: async () => {
        try {
          return await archive.read(name);
        } catch (error) {
          throw fromZipError(error, `${file.name}: ${name}`);
        }
      },
    }));
}

function fromZipError(error: unknown, file: string): DataError {
  if (!(error instanceof CheckpointError)) throw error;
  const detail = error.message.charAt(0).toLowerCase() + error.message.slice(1);
  if (error.problem === 'truncated') return new DataError('truncated', file, detail);
  if (error.problem === 'notCheckpoint')
    return new DataError('wrongMagic', file, 'this is not a zip archive.');
  if (error.problem === 'unsupportedZip') return new DataError('unsupported', file, detail);
  return new DataError('damaged', file, detail);
}
