// Reads IDX files (MNIST, Fashion-MNIST, EMNIST), gzipped or not, pairing each images file with its labels file.

import { DataSetBuilder } from './dataset.ts';
import { DataError } from './errors.ts';
import { countBytes, maybeGunzip } from './gzip.ts';
import { ProgressTracker } from './progress.ts';
import { baseName, compareNames, type DataFile, readChunks } from './sources.ts';
import type { ImportOptions, ImportResult } from './types.ts';

const FASHION_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

/** An IDX array: its dimensions and its unsigned-byte contents. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** True when `head` starts like an IDX file: two zero bytes, a known type byte, 1-4 dimensions. */
export function isIdx(head: Uint8Array): boolean {
  return (
    head.length >= 4 &&
    head[0] === 0 &&
    head[1] === 0 &&
    TYPES[head[2]!] !== undefined &&
    head[3]! >= 1 &&
    head[3]! <= 4
  );
}

const TYPES: Record<number, string> = {
  8: 'unsigned byte',
  9: 'signed byte',
  11: 'int16',
  12: 'int32',
  13: 'float32',
  14: 'float64',
};

/** Reads one IDX file from its (possibly gzipped) chunks. */
export async function readIdxArray(chunks: AsyncIterable<Uint8Array>, file: string): Promise<IdxArray> {
  const header = new Uint8Array(4 + 4 * 4);
  let headerFilled = 0;
  let headerSize = 4;
  let dims: number[] | undefined;
  let data: Uint8Array | undefined;
  let filled = 0;
  for await (const chunk of maybeGunzip(chunks, file)) {
    let at = 0;
    while (!dims && at < chunk.length) {
      header[headerFilled++] = chunk[at++]!;
      if (headerFilled === 4) {
        if (!isIdx(header))
          throw new DataError(
            'wrongMagic',
            file,
            `this is not an IDX (MNIST-format) file: it starts with ${hex(header)}.`,
          );
        if (header[2] !== 0x08)
          throw new DataError(
            'unsupported',
            file,
            `this IDX file holds ${TYPES[header[2]!]} values; only unsigned bytes (as in MNIST) are supported.`,
          );
        headerSize = 4 + 4 * header[3]!;
      }
      if (headerFilled === headerSize && headerFilled > 4) {
        const view = new DataView(header.buffer);
        dims = Array.from({ length: header[3]! }, (_, i) => view.getUint32(4 + 4 * i));
        const total = dims.reduce((a, b) => a * b, 1);
        if (total > 2 ** 32 - 1)
          throw new DataError(
            'tooLarge',
            file,
            `the file's header claims ${dims.join(' x ')} values, too many to load.`,
          );
        data = new Uint8Array(total);
      }
    }
    if (data && at < chunk.length) {
      const take = Math.min(chunk.length - at, data.length - filled);
      data.set(chunk.subarray(at, at + take), filled);
      filled += take;
      if (at + take < chunk.length)
        throw new DataError(
          'damaged',
          file,
          `the file is longer than its header says (${dims!.join(' x ')} values); it may be a different file.`,
        );
    }
  }
  if (!dims || !data)
    throw new DataError('truncated', file, 'the file is cut short: it ends inside its header.');
  if (filled < data.length) {
    const per = data.length / Math.max(1, dims[0]!);
    throw new DataError(
      'truncated',
      file,
      `the file is cut short: its header promises ${dims[0]} items but it ends after ${Math.floor(filled / per)}.`,
    );
  }
  return { dims, data };
}

function hex(bytes: Uint8Array): string {
  return [...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** The name with its role words removed, so `train-images-idx3-ubyte.gz` and `train-labels-idx1-ubyte` meet. */
function pairKey(name: string): string {
  return baseName(name)
    .replace(/\.gz$/, '')
    .replace(/images?|labels?/g, '*')
    .replace(/idx\d/g, 'idx');
}

function role(name: string): 'images' | 'labels' | undefined {
  const base = baseName(name);
  if (/images?/.test(base)) return 'images';
  if (/labels?/.test(base)) return 'labels';
  return undefined;
}

/** Part names: `train`, `t10k`, `emnist-letters-train`; training files first. */
function partName(imagesFile: string): string {
  return baseName(imagesFile).replace(/[-_.]?images?.*$/, '') || baseName(imagesFile);
}

export async function readIdx(files: DataFile[], options: ImportOptions = {}): Promise<ImportResult> {
  const skipped: DataError[] = [];
  const groups = new Map<string, { images?: DataFile; labels?: DataFile }>();
  let mapping: DataFile | undefined;
  for (const file of files) {
    const base = baseName(file.name);
    if (/mapping\.txt$/.test(base)) mapping = file;
    const kind = role(file.name);
    if (!kind || !/ubyte|idx/.test(base)) {
      if (!/\.(txt|md)$|^\./.test(base))
        skipped.push(
          new DataError('unknownFormat', file.name, 'this is not an IDX images or labels file; left out.'),
        );
      continue;
    }
    const group = groups.get(pairKey(file.name)) ?? {};
    group[kind] = file;
    groups.set(pairKey(file.name), group);
  }
  const pairs: { images: DataFile; labels: DataFile }[] = [];
  for (const { images, labels } of groups.values()) {
    if (images && labels) pairs.push({ images, labels });
    else if (images || labels) {
      const lone = (images ?? labels)!;
      const wanted = images ? 'labels' : 'images';
      skipped.push(
        new DataError('missingPartner', lone.name, `no matching ${wanted} file was given with it; left out.`),
      );
    }
  }
  if (pairs.length === 0) throw firstOr(skipped, 'no pair of IDX images and labels files was found.');
  const train = (p: { images: DataFile }) => (/train/.test(baseName(p.images.name)) ? 0 : 1);
  pairs.sort((a, b) => train(a) - train(b) || compareNames(a.images.name, b.images.name));

  const progress = new ProgressTracker(
    options.onProgress,
    files.reduce((sum, f) => sum + f.size, 0),
  );
  let builder: DataSetBuilder | undefined;
  for (const { images, labels } of pairs) {
    try {
      const read = (file: DataFile) =>
        readIdxArray(
          countBytes(readChunks(file), (n) => progress.advance(n, `Reading ${file.name}`)),
          file.name,
        );
      const x = await read(images);
      const y = await read(labels);
      if (x.dims.length !== 3)
        throw new DataError(
          'unsupported',
          images.name,
          `this IDX file has ${x.dims.length} dimensions; images need 3 (count, height, width).`,
        );
      if (y.dims.length !== 1)
        throw new DataError(
          'unsupported',
          labels.name,
          `this IDX file has ${y.dims.length} dimensions; labels need 1.`,
        );
      if (x.dims[0] !== y.dims[0])
        throw new DataError(
          'countMismatch',
          images.name,
          `it holds ${x.dims[0]} images but ${labels.name} holds ${y.dims[0]} labels.`,
        );
      const height = x.dims[1]!;
      const width = x.dims[2]!;
      builder ??= new DataSetBuilder([1, height, width], images.name, x.dims[0]);
      if (builder.shape[1] !== height || builder.shape[2] !== width)
        throw new DataError(
          'badShape',
          images.name,
          `its images are ${height}x${width}, unlike the ${builder.shape[1]}x${builder.shape[2]} of the first pair.`,
        );
      // NOTE: EMNIST stores each image transposed (column by column); turn it back so letters stand upright.
      if (/emnist/.test(baseName(images.name))) transposeAll(x.data, height, width);
      builder.beginPart(partName(images.name), [images.name, labels.name]);
      builder.addMany(y.data, x.data);
    } catch (error) {
      if (!(error instanceof DataError)) throw error;
      skipped.push(error);
    }
  }
  if (!builder || builder.count === 0) throw firstOr(skipped, 'no images could be read.');
  const dataset = builder.finish('idx', options.name ?? pairs[0]!.images.name, []);
  dataset.classes = await idxClasses(files, mapping, dataset.labels, options);
  progress.finish(`Read ${dataset.labels.length} images`);
  return { dataset, skipped };
}

function transposeAll(data: Uint8Array, height: number, width: number): void {
  const size = height * width;
  const copy = new Uint8Array(size);
  for (let at = 0; at < data.length; at += size) {
    copy.set(data.subarray(at, at + size));
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) data[at + y * width + x] = copy[x * height + y]!;
  }
}

/** Fashion-MNIST names when a path says "fashion", EMNIST's mapping file when given, else the label numbers. */
async function idxClasses(
  files: DataFile[],
  mapping: DataFile | undefined,
  labels: Int32Array,
  options: ImportOptions,
) {
  const given = options.classes;
  let max = 0;
  for (const label of labels) max = Math.max(max, label);
  const names = Array.from({ length: max + 1 }, (_, i) => String(i));
  if (
    [options.name ?? '', ...files.map((file) => file.name)].some((name) => /fashion/i.test(name)) &&
    max < 10
  )
    names.splice(0, 10, ...FASHION_CLASSES);
  if (mapping) {
    for (const line of new TextDecoder().decode(await mapping.bytes()).split(/\r?\n/)) {
      const [label, code] = line.trim().split(/\s+/).map(Number);
      if (label !== undefined && code !== undefined && label >= 0 && label <= max)
        names[label] = String.fromCharCode(code);
    }
  }
  if (given) names.splice(0, given.length, ...given);
  return names;
}

function firstOr(skipped: DataError[], detail: string): DataError {
  return skipped.length === 1
    ? skipped[0]!
    : new DataError(
        'empty',
        skipped[0]?.file ?? '',
        skipped.length ? `${detail} ${skipped.map((e) => e.message).join(' ')}` : detail,
      );
}
