// NumPy .npy arrays and .npz archives (a zip of .npy files, as numpy.savez writes them) for data.npz.

import { writeZip } from '../torch/zip-write.ts';

/** One array: `descr` is NumPy's dtype text (`|u1`, `<i8`, `<f8`, `<U12`), data little-endian C order. */
export interface NpyArray {
  descr: string;
  shape: readonly number[];
  data: Uint8Array;
}

/** The .npy bytes (format 1.0): magic, header dict padded to a multiple of 64, then the data. */
export function npyBytes(array: NpyArray): Uint8Array {
  const shape = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(', ')})`;
  let header = `{'descr': '${array.descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  header += `${' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64)}\n`;
  const out = new Uint8Array(10 + header.length + array.data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(array.data, 10 + header.length);
  return out;
}

/** An .npz archive: each array stored as `<name>.npy` (np.load(path)[name]). */
export function npzBytes(arrays: Record<string, NpyArray>): Uint8Array {
  return writeZip(
    Object.entries(arrays).map(([name, array]) => ({ name: `${name}.npy`, data: npyBytes(array) })),
  );
}

const bytesOf = (view: ArrayBufferView) => new Uint8Array(view.buffer, view.byteOffset, view.byteLength);

export const uint8Array = (shape: readonly number[], data: Uint8Array): NpyArray => ({
  descr: '|u1',
  shape,
  data,
});

/** int64 from any integers (labels, indices). */
export function int64Array(values: ArrayLike<number>): NpyArray {
  const data = BigInt64Array.from(Array.from(values, (v) => BigInt(v)));
  return { descr: '<i8', shape: [values.length], data: bytesOf(data) };
}

/** Fixed-width unicode strings (`<U{width}`, UTF-32LE), what np.array(['a', 'bc']) holds. */
export function stringArray(values: readonly string[]): NpyArray {
  const points = values.map((v) => Array.from(v, (c) => c.codePointAt(0)!));
  const width = Math.max(1, ...points.map((p) => p.length));
  const data = new Uint32Array(values.length * width);
  for (const [i, p] of points.entries()) data.set(p, i * width);
  return { descr: `<U${width}`, shape: [values.length], data: bytesOf(data) };
}
