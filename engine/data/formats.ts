// The list of data formats, telling them apart by name and first bytes, and the one entry point for imports.

import { cifarLabelBytes, isCifarArchive, readCifar } from './cifar.ts';
import { readCsv } from './csv.ts';
import { DataError } from './errors.ts';
import { gunzipChunks, isGzip } from './gzip.ts';
import { isIdx, readIdx } from './idx.ts';
import { isJpeg, isPng } from './image-decode.ts';
import { isImageName, readImageFolder } from './image-folder.ts';
import { isNpy, readNumpy } from './numpy.ts';
import { baseName, type DataFile, type DataFolder, listFiles, readChunks, readHead } from './sources.ts';
import type { DataFormat, ImportOptions, ImportResult, ReadData } from './types.ts';
import { isZip } from './zip.ts';

export interface FormatInfo {
  format: DataFormat;
  /** How the user would recognise it, for lists of supported formats. */
  description: string;
  /** Claims a file by its name alone. */
  byName: (base: string, size: number) => boolean;
  /** Claims a file by its first bytes (gunzipped when the file is gzip). */
  byBytes: (head: Uint8Array, base: string) => boolean;
  read: ReadData;
}

export const FORMATS: readonly FormatInfo[] = [
  {
    format: 'idx',
    description:
      'IDX files as MNIST, Fashion-MNIST and EMNIST ship (train-images-idx3-ubyte[.gz] with train-labels-idx1-ubyte[.gz])',
    byName: (base) => /idx\d-ubyte(\.gz)?$|-ubyte(\.gz)?$/.test(base),
    byBytes: (head) => isIdx(head),
    read: readIdx,
  },
  {
    format: 'cifar',
    description:
      'CIFAR-10 / CIFAR-100 binary batches (data_batch_N.bin, test_batch.bin, train.bin, test.bin), loose or in their .tar.gz',
    byName: (base, size) => isCifarArchive(base) || cifarLabelBytes(base, size) !== undefined,
    byBytes: (head) => head.length >= 262 && String.fromCharCode(...head.subarray(257, 262)) === 'ustar',
    read: readCifar,
  },
  {
    format: 'image-folder',
    description: 'a folder of PNG or JPEG images with one subfolder per class, loose or in a .zip',
    byName: (base) => isImageName(base) || /\.zip$/.test(base),
    byBytes: (head) => isPng(head) || isJpeg(head) || isZip(head),
    read: readImageFolder,
  },
  {
    format: 'numpy',
    description: 'NumPy .npz (arrays x and y) or a pair of .npy files (x and y, or images and labels)',
    byName: (base) => /\.np[yz]$/.test(base),
    byBytes: (head) => isNpy(head),
    read: readNumpy,
  },
  {
    format: 'csv',
    description: 'CSV with a label column and one column per pixel',
    byName: (base) => /\.csv(\.gz)?$/.test(base),
    byBytes: () => false,
    read: readCsv,
  },
];

/** Files that travel with data but decide nothing: class-name lists, read-mes, system litter. */
const COMPANION = /\.(txt|md|html|json)$|^\.|^(thumbs\.db|desktop\.ini|license|readme)$/;

export function supportedFormats(): string {
  return FORMATS.map((f) => `- ${f.description}`).join('\n');
}

async function gunzippedHead(file: DataFile, head: Uint8Array): Promise<Uint8Array> {
  if (!isGzip(head)) return head;
  // NOTE: only the first decompressed chunk is wanted; an error further on is the reader's to report.
  try {
    for await (const chunk of gunzipChunks(readChunks(file), file.name)) return chunk;
  } catch {}
  return head;
}

/** Picks the reader for these files: by names first, then by first bytes; a clear DataError otherwise. */
export async function detectFormat(files: DataFile[]): Promise<FormatInfo> {
  const found = new Map<DataFormat, string[]>();
  const unknown: string[] = [];
  for (const file of files) {
    const base = baseName(file.name);
    let format = FORMATS.find((f) => f.byName(base, file.size));
    if (!format) {
      if (COMPANION.test(base)) continue;
      const head = await gunzippedHead(file, await readHead(file, 512));
      format = FORMATS.find((f) => f.byBytes(head, base));
    }
    if (format) found.set(format.format, [...(found.get(format.format) ?? []), file.name]);
    else unknown.push(file.name);
  }
  if (found.size === 1) return FORMATS.find((f) => f.format === [...found.keys()][0])!;
  if (found.size > 1) {
    const list = [...found]
      .map(([format, names]) => `${format} (${names.slice(0, 2).join(', ')})`)
      .join('; ');
    throw new DataError(
      'mixedFormats',
      '',
      `these files mix data formats: ${list}. Import one format at a time.`,
    );
  }
  const named = unknown.slice(0, 3).join(', ') || (files.length ? files[0]!.name : 'nothing was given');
  throw new DataError(
    'unknownFormat',
    unknown.length === 1 ? unknown[0]! : '',
    `no supported data format recognised (${named}). Supported formats:\n${supportedFormats()}`,
  );
}

/** Imports files of any supported format. */
export async function importDataSet(files: DataFile[], options: ImportOptions = {}): Promise<ImportResult> {
  const format = await detectFormat(files);
  return format.read(files, options);
}

/** Imports everything under a folder the user picked (named after it). */
export async function importFolder(folder: DataFolder, options: ImportOptions = {}): Promise<ImportResult> {
  return importDataSet(await listFiles(folder), { name: folder.name, ...options });
}
