// Data for the CLI: engine/data's DataFile/DataFolder on node:fs (nodeFile, nodeFolder), the embedded MNIST
// digits, and one loader that reads any supported format and fits the images to the network's Input.

import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { decodeBuiltinMnist, MNIST_ASSET_NAME } from '../engine/data/builtin.ts';
import type { DataError } from '../engine/data/errors.ts';
import { importDataSet, importFolder } from '../engine/data/formats.ts';
import { resizeDataSet } from '../engine/data/resize.ts';
import type { DataFile, DataFolder } from '../engine/data/sources.ts';
import type { DataSet, ImageShape } from '../engine/data/types.ts';
import { UsageError } from './args.ts';

const ASSET = fileURLToPath(new URL(`../engine/data/assets/${MNIST_ASSET_NAME}`, import.meta.url));

/** A file on disk as engine/data reads it: size up front, bytes whole or streamed in chunks. */
export function nodeFile(path: string, name = basename(path)): DataFile {
  const size = statSync(path).size;
  return {
    name,
    size,
    bytes: async () => new Uint8Array(await readFile(path)),
    stream: () => Readable.toWeb(createReadStream(path)) as unknown as ReadableStream<Uint8Array>,
  };
}

/** A folder on disk; entries are read when asked for, hidden ones (`.git`, `.DS_Store`) included as they are. */
export function nodeFolder(path: string, name = basename(path)): DataFolder {
  return {
    name,
    entries: async () =>
      readdirSync(path, { withFileTypes: true }).flatMap((entry): (DataFile | DataFolder)[] => {
        const full = join(path, entry.name);
        if (entry.isDirectory()) return [nodeFolder(full, entry.name)];
        if (entry.isFile()) return [nodeFile(full, entry.name)];
        return [];
      }),
  };
}

/** The 10,000 MNIST digits shipped with NeuroCanvas. */
export function builtinMnist(): DataSet {
  return decodeBuiltinMnist(readFileSync(ASSET));
}

export interface LoadedData {
  dataset: DataSet;
  /** Files left out, each with its reason. */
  skipped: DataError[];
  /** What was read, for the user: `the built-in MNIST digits (10000 images, 1x28x28)`. */
  description: string;
}

/**
 * Reads `path` (a file or a folder, any format engine/data knows) or, without one, the built-in digits, and fits
 * the images to `shape` (the network's Input as C,H,W; other Input shapes must match the data's size).
 */
export async function loadData(path: string | undefined, shape: number[] | null): Promise<LoadedData> {
  let dataset: DataSet;
  let skipped: DataError[] = [];
  let what: string;
  const imageShape = shape?.length === 3 ? (shape as ImageShape) : undefined;
  if (path === undefined) {
    dataset = builtinMnist();
    what = 'the built-in MNIST digits';
  } else {
    let isFolder: boolean;
    try {
      isFolder = statSync(path).isDirectory();
    } catch {
      throw new UsageError(`--data ${path}: no such file or folder`);
    }
    const result = isFolder
      ? await importFolder(nodeFolder(path), { shape: imageShape })
      : await importDataSet([nodeFile(path)], { shape: imageShape });
    dataset = result.dataset;
    skipped = result.skipped;
    what = path;
  }
  const original = dataset.shape.join('x');
  if (imageShape) dataset = resizeDataSet(dataset, imageShape);
  const resized = dataset.shape.join('x') === original ? '' : `, fitted from ${original}`;
  return {
    dataset,
    skipped,
    description: `${what} (${dataset.labels.length} images, ${dataset.shape.join('x')}${resized}, ${dataset.classes.length} classes)`,
  };
}
