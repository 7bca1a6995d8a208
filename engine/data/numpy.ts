// Reads NumPy data: a .npz (arrays x and y, x_train/y_train..., or the first two) or .npy pairs, any layout.

import { DataSetBuilder } from './dataset.ts';
import { DataError } from './errors.ts';
import { isNpy, type NpyArray, parseNpy } from './npy.ts';
import { flatShape, pixelScale, toByte, toLabels } from './pixels.ts';
import { ProgressTracker } from './progress.ts';
import { baseName, type DataFile } from './sources.ts';
import type { ImageShape, ImportOptions, ImportResult } from './types.ts';
import { zipEntries } from './zip.ts';

export { isNpy };

const IMAGE_WORDS = new Set(['x', 'image', 'images', 'data', 'features', 'input', 'inputs']);
const LABEL_WORDS = new Set(['y', 'label', 'labels', 'target', 'targets', 'classes']);

/** A named array not yet read (an .npz member or a loose .npy). */
interface Candidate {
  array: string;
  display: string;
  read: () => Promise<Uint8Array>;
}

interface Pair {
  part: string;
  images: Candidate;
  labels: Candidate;
}

/**
 * Pairs arrays whose names differ only in an images word and a labels word (`x_train`/`y_train`,
 * `train_images`/`train_labels`, `x`/`y`), training ones first; with no such pair, the first two arrays.
 */
export function pairArrays<T extends { array: string }>(
  arrays: T[],
): { part: string; images: T; labels: T }[] {
  const groups = new Map<string, { images?: T; labels?: T }>();
  for (const item of arrays) {
    const words = item.array.toLowerCase().split(/[-_.]/);
    const role = words.some((w) => IMAGE_WORDS.has(w))
      ? 'images'
      : words.some((w) => LABEL_WORDS.has(w))
        ? 'labels'
        : undefined;
    if (!role) continue;
    const key = words.filter((w) => !IMAGE_WORDS.has(w) && !LABEL_WORDS.has(w)).join('_');
    const group = groups.get(key) ?? {};
    group[role] ??= item;
    groups.set(key, group);
  }
  const pairs = [...groups]
    .filter(([, g]) => g.images && g.labels)
    .map(([key, g]) => ({ part: key || 'all', images: g.images!, labels: g.labels! }));
  const rank = (part: string) => (/train/.test(part) ? 0 : /val|test/.test(part) ? 2 : 1);
  pairs.sort((a, b) => rank(a.part) - rank(b.part));
  if (pairs.length === 0 && arrays.length >= 2)
    return [{ part: 'all', images: arrays[0]!, labels: arrays[1]! }];
  return pairs;
}

async function candidates(files: DataFile[], skipped: DataError[]): Promise<Candidate[]> {
  const out: Candidate[] = [];
  for (const file of files) {
    const base = baseName(file.name);
    try {
      if (base.endsWith('.npz'))
        for (const entry of await zipEntries(file)) {
          if (entry.name.endsWith('.npy'))
            out.push({
              array: entry.name.replace(/\.npy$/, ''),
              display: `${file.name}: ${entry.name}`,
              read: entry.bytes,
            });
        }
      else if (base.endsWith('.npy'))
        out.push({ array: base.replace(/\.npy$/, ''), display: file.name, read: () => file.bytes() });
      else if (!/\.(txt|md)$|^\./.test(base))
        skipped.push(
          new DataError('unknownFormat', file.name, 'this is not a NumPy .npy or .npz file; left out.'),
        );
    } catch (error) {
      if (!(error instanceof DataError)) throw error;
      skipped.push(error);
    }
  }
  return out;
}

export async function readNumpy(files: DataFile[], options: ImportOptions = {}): Promise<ImportResult> {
  const skipped: DataError[] = [];
  const arrays = await candidates(files, skipped);
  const pairs: Pair[] = pairArrays(arrays);
  if (pairs.length === 0) {
    const only = arrays[0]?.display ?? files[0]?.name ?? '';
    const error = new DataError(
      'missingPartner',
      only,
      'images need a labels array beside them (x and y, or images and labels).',
    );
    if (skipped.length === 0 || arrays.length > 0) throw error;
    throw skipped.length === 1 ? skipped[0]! : error;
  }
  const progress = new ProgressTracker(options.onProgress, pairs.length * 2);
  let builder: DataSetBuilder | undefined;
  for (const pair of pairs) {
    try {
      progress.advance(0, `Reading ${pair.images.display}`);
      const images = parseNpy(await pair.images.read(), pair.images.display);
      progress.advance(1, `Reading ${pair.labels.display}`);
      const labels = labelValues(
        parseNpy(await pair.labels.read(), pair.labels.display),
        pair.labels.display,
      );
      progress.advance(1, `Converting ${pair.images.display}`);
      const { shape, bytes } = imageBytes(images, pair.images.display, options.shape ?? builder?.shape);
      if (labels.length !== images.shape[0])
        throw new DataError(
          'countMismatch',
          pair.images.display,
          `it holds ${images.shape[0]} images but ${pair.labels.display} holds ${labels.length} labels.`,
        );
      builder ??= new DataSetBuilder(shape, pair.images.display, labels.length);
      if (shape.join() !== builder.shape.join())
        throw new DataError(
          'badShape',
          pair.images.display,
          `its images are ${shape.join('x')}, unlike the ${builder.shape.join('x')} of the first pair.`,
        );
      builder.beginPart(pair.part, [pair.images.display, pair.labels.display]);
      builder.addMany(labels, bytes);
    } catch (error) {
      if (!(error instanceof DataError)) throw error;
      skipped.push(error);
    }
  }
  if (!builder || builder.count === 0) {
    if (skipped.length === 1) throw skipped[0]!;
    throw new DataError(
      'empty',
      files[0]?.name ?? '',
      `no images could be read. ${skipped.map((e) => e.message).join(' ')}`,
    );
  }
  const dataset = builder.finish('numpy', options.name ?? files[0]!.name, []);
  let max = -1;
  for (const label of dataset.labels) max = Math.max(max, label);
  dataset.classes = Array.from({ length: max + 1 }, (_, i) => options.classes?.[i] ?? String(i));
  progress.finish(`Read ${dataset.labels.length} images`);
  return { dataset, skipped };
}

/** Labels from shape (N), (N, 1), or one-hot (N, K), as whole class numbers. */
function labelValues(array: NpyArray, file: string): Int32Array {
  const [n = 0, k = 1, ...rest] = array.shape;
  if (array.shape.length === 0 || rest.length > 0)
    throw new DataError(
      'badShape',
      file,
      `labels must be one number per image, but the array is ${array.shape.join('x') || 'a scalar'}.`,
    );
  if (k === 1) return toLabels(array.values, file);
  // NOTE: a (N, K) label array is read as one-hot (or scores): the label is the largest entry's column.
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (array.values[i * k + j]! > array.values[i * k + best]!) best = j;
    out[i] = best;
  }
  return out;
}

/**
 * Image bytes in N x C x H x W from (N, H, W), (N, C, H, W), (N, H, W, C) or flat (N, D) arrays.
 * NOTE: rank-4 layout is told by which of axes 1 and 3 is a channel count (1-4); when both could be, the
 * requested shape decides, else NCHW (PyTorch's) is assumed.
 */
function imageBytes(
  array: NpyArray,
  file: string,
  given?: ImageShape,
): { shape: ImageShape; bytes: Uint8Array } {
  const s = array.shape;
  let shape: ImageShape;
  let channelsLast = false;
  if (s.length === 2) shape = flatShape(s[1]!, file, given);
  else if (s.length === 3) shape = [1, s[1]!, s[2]!];
  else if (s.length === 4) {
    const small = (v: number) => v >= 1 && v <= 4;
    if (small(s[1]!) && small(s[3]!)) channelsLast = given ? given[0] === s[3] && given[0] !== s[1] : false;
    else if (small(s[3]!)) channelsLast = true;
    else if (!small(s[1]!))
      throw new DataError(
        'badShape',
        file,
        `cannot tell which axis of the ${s.join('x')} image array holds the channels (1, 3 or 4).`,
      );
    shape = channelsLast ? [s[3]!, s[1]!, s[2]!] : [s[1]!, s[2]!, s[3]!];
  } else
    throw new DataError(
      'badShape',
      file,
      `images must be a 2-, 3- or 4-dimensional array, but this one is ${s.join('x')}.`,
    );
  const [channels, height, width] = shape;
  const n = s[0]!;
  const scale = array.dtype.endsWith('u1') ? 1 : pixelScale(array.values, file);
  const values = array.values;
  const bytes = new Uint8Array(n * channels * height * width);
  if (!channelsLast) {
    for (let i = 0; i < bytes.length; i++) bytes[i] = toByte(values[i]!, scale);
  } else {
    const plane = height * width;
    for (let i = 0; i < n; i++)
      for (let p = 0; p < plane; p++)
        for (let c = 0; c < channels; c++)
          bytes[(i * channels + c) * plane + p] = toByte(values[(i * plane + p) * channels + c]!, scale);
  }
  return { shape, bytes };
}
