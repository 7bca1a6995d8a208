// Parses one NumPy .npy array (versions 1-3): header dict, any plain number dtype, either byte order, C or Fortran order.

import { DataError } from './errors.ts';

export interface NpyArray {
  /** NumPy's dtype string, e.g. `<f4`, `|u1`. */
  dtype: string;
  shape: number[];
  /** The values in C (row-major) order; integers up to 2^53 are exact. */
  values: ArrayLike<number>;
}

export function isNpy(head: Uint8Array): boolean {
  return head.length >= 6 && head[0] === 0x93 && String.fromCharCode(...head.subarray(1, 6)) === 'NUMPY';
}

const VIEWS: Record<string, (buffer: ArrayBuffer) => ArrayLike<number>> = {
  u1: (b) => new Uint8Array(b),
  i1: (b) => new Int8Array(b),
  b1: (b) => new Uint8Array(b),
  u2: (b) => new Uint16Array(b),
  i2: (b) => new Int16Array(b),
  u4: (b) => new Uint32Array(b),
  i4: (b) => new Int32Array(b),
  f4: (b) => new Float32Array(b),
  f8: (b) => new Float64Array(b),
  i8: (b) => Float64Array.from(new BigInt64Array(b), Number),
  u8: (b) => Float64Array.from(new BigUint64Array(b), Number),
};

export function parseNpy(bytes: Uint8Array, file: string): NpyArray {
  if (!isNpy(bytes))
    throw new DataError(
      'wrongMagic',
      file,
      'this is not a NumPy .npy file (it lacks the \\x93NUMPY signature).',
    );
  if (bytes.length < 10) throw cut(file);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6]!;
  const long = major >= 2;
  const headerLength = long ? (bytes.length >= 12 ? view.getUint32(8, true) : -1) : view.getUint16(8, true);
  const start = (long ? 12 : 10) + headerLength;
  if (headerLength < 0 || start > bytes.length) throw cut(file);
  const header = new TextDecoder(major >= 3 ? 'utf-8' : 'latin1').decode(
    bytes.subarray(long ? 12 : 10, start),
  );
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*True/.test(header);
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeText === undefined)
    throw new DataError(
      'unsupported',
      file,
      'the array holds a structured or object dtype; save plain number arrays (np.save(path, array)).',
    );
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const order = descr[0];
  const code = descr.slice(1);
  const make = VIEWS[code];
  // NOTE: '=' (native order) is taken as little-endian, which every machine NumPy runs on today is.
  if (!make || !order || !'<>|='.includes(order))
    throw new DataError(
      'unsupported',
      file,
      `the array's dtype ${descr} is not supported; use uint8, int, or float32/64.`,
    );
  const width = Number(code.slice(1));
  const count = shape.reduce((a, b) => a * b, 1);
  if (bytes.length - start < count * width) throw cut(file);
  // Copy to a fresh, aligned buffer, swapping bytes for big-endian data.
  const raw = bytes.slice(start, start + count * width);
  if (order === '>' && width > 1)
    for (let at = 0; at < raw.length; at += width) raw.subarray(at, at + width).reverse();
  let values = make(raw.buffer);
  if (fortran && shape.length > 1) values = fortranToC(values, shape);
  return { dtype: descr, shape, values };
}

function cut(file: string): DataError {
  return new DataError(
    'truncated',
    file,
    'the .npy file is cut short: it holds fewer values than its header says.',
  );
}

/** Reorders Fortran (column-major) values into C order. */
function fortranToC(values: ArrayLike<number>, shape: number[]): Float64Array {
  const out = new Float64Array(values.length);
  const strides: number[] = [];
  let stride = 1;
  for (const size of shape) {
    strides.push(stride);
    stride *= size;
  }
  const index = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < out.length; i++) {
    let from = 0;
    for (let d = 0; d < shape.length; d++) from += index[d]! * strides[d]!;
    out[i] = values[from]!;
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d]! < shape[d]!) break;
      index[d] = 0;
    }
  }
  return out;
}
