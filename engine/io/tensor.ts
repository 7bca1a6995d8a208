// Host tensors for file IO: a dtype, a shape and a flat typed array, plus the state_dict map they live in.

export type DType =
  | 'float32'
  | 'float64'
  | 'float16'
  | 'bfloat16'
  | 'int64'
  | 'int32'
  | 'int16'
  | 'int8'
  | 'uint8'
  | 'bool';

export type TensorData =
  | Float32Array
  | Float64Array
  | Uint16Array
  | BigInt64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array;

/**
 * A C-contiguous tensor in host memory. `data.length` is the element count.
 * NOTE: float16 and bfloat16 hold raw 16-bit patterns in a Uint16Array, not numbers; bool is 0/1 bytes.
 */
export interface HostTensor {
  dtype: DType;
  shape: number[];
  data: TensorData;
}

/** PyTorch's `state_dict`: tensor names in the order PyTorch would list them. */
export type StateDict = Map<string, HostTensor>;

export const DTYPE_BYTES: Record<DType, number> = {
  float32: 4,
  float64: 8,
  float16: 2,
  bfloat16: 2,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

export const DTYPES = Object.keys(DTYPE_BYTES) as DType[];

export function numel(shape: readonly number[]): number {
  let count = 1;
  for (const size of shape) count *= size;
  return count;
}

/** A zero-filled typed array of the right class for `dtype`. */
export function allocate(dtype: DType, count: number): TensorData {
  switch (dtype) {
    case 'float32':
      return new Float32Array(count);
    case 'float64':
      return new Float64Array(count);
    case 'float16':
    case 'bfloat16':
      return new Uint16Array(count);
    case 'int64':
      return new BigInt64Array(count);
    case 'int32':
      return new Int32Array(count);
    case 'int16':
      return new Int16Array(count);
    case 'int8':
      return new Int8Array(count);
    case 'uint8':
    case 'bool':
      return new Uint8Array(count);
  }
}

/** Wraps little-endian bytes (copied, so any alignment works) as a typed array of `dtype`. */
export function fromBytes(dtype: DType, bytes: Uint8Array): TensorData {
  const size = DTYPE_BYTES[dtype];
  if (bytes.length % size !== 0)
    throw new RangeError(`${bytes.length} bytes is not a whole number of ${dtype}`);
  const data = allocate(dtype, bytes.length / size);
  new Uint8Array(data.buffer, data.byteOffset, data.byteLength).set(bytes);
  return data;
}

/** The little-endian bytes of a tensor's elements (a view, no copy). */
export function tensorBytes(tensor: HostTensor): Uint8Array {
  const { data } = tensor;
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Builds a tensor, checking that the data has one element per position of the shape. */
export function hostTensor(dtype: DType, shape: number[], data?: TensorData): HostTensor {
  for (const size of shape)
    if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`Bad dimension ${size} in [${shape}]`);
  const count = numel(shape);
  const values = data ?? allocate(dtype, count);
  if (values.length !== count)
    throw new RangeError(`Shape [${shape}] needs ${count} elements, got ${values.length}`);
  if (values.constructor !== allocate(dtype, 0).constructor)
    throw new TypeError(`A ${dtype} tensor cannot hold a ${values.constructor.name}`);
  return { dtype, shape: [...shape], data: values };
}

export function float32Tensor(shape: number[], values: ArrayLike<number>): HostTensor {
  return hostTensor('float32', shape, Float32Array.from(values));
}

export function int64Tensor(shape: number[], values: ArrayLike<number | bigint>): HostTensor {
  return hostTensor('int64', shape, BigInt64Array.from(Array.from(values, (v) => BigInt(v))));
}

/** True for anything shaped like a HostTensor (used to tell tensors from dicts in Python values). */
export function isHostTensor(value: unknown): value is HostTensor {
  if (typeof value !== 'object' || value === null) return false;
  const t = value as Partial<HostTensor>;
  return typeof t.dtype === 'string' && Array.isArray(t.shape) && ArrayBuffer.isView(t.data);
}

const scratch = new DataView(new ArrayBuffer(4));

/** IEEE half (as its 16 bits) to a number; exact. */
export function float16ToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** A number to IEEE half bits, rounding to nearest even (as torch's `.half()` does). */
export function numberToFloat16(value: number): number {
  scratch.setFloat32(0, value, true);
  const x = scratch.getUint32(0, true);
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    let half = mantissa >> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mantissa >> 13);
  const rest = mantissa & 0x1fff;
  // NOTE: a carry out of the mantissa bumps the exponent, up to the infinity pattern; both are right.
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++;
  return sign | half;
}

/** bfloat16 bits to a number: the top half of a float32; exact. */
export function bfloat16ToNumber(bits: number): number {
  scratch.setUint32(0, bits << 16, true);
  return scratch.getFloat32(0, true);
}

/** A number to bfloat16 bits, rounding to nearest even. */
export function numberToBfloat16(value: number): number {
  scratch.setFloat32(0, value, true);
  const x = scratch.getUint32(0, true);
  if ((x & 0x7fffffff) > 0x7f800000) return ((x >>> 16) | 0x40) & 0xffff; // keep NaN a NaN
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

/** Element values as JavaScript numbers. NOTE: int64 values past 2^53 lose precision; use int64Values. */
export function toNumbers(tensor: HostTensor): number[] {
  const { data, dtype } = tensor;
  if (dtype === 'float16') return Array.from(data as Uint16Array, float16ToNumber);
  if (dtype === 'bfloat16') return Array.from(data as Uint16Array, bfloat16ToNumber);
  if (data instanceof BigInt64Array) return Array.from(data, Number);
  return Array.from(data as ArrayLike<number>);
}

/** Integer values exactly, as bigints, for int64 (and any integer dtype). */
export function int64Values(tensor: HostTensor): bigint[] {
  const { data } = tensor;
  if (data instanceof BigInt64Array) return Array.from(data);
  if (tensor.dtype.startsWith('float') || tensor.dtype === 'bfloat16')
    throw new TypeError(`int64Values needs an integer tensor, got ${tensor.dtype}`);
  return Array.from(data as ArrayLike<number>, (v) => BigInt(v));
}

export interface Float32Result {
  tensor: HostTensor;
  /** Set when the dtype changed: what happened, for the user. */
  warning: string | null;
}

/**
 * Converts a floating tensor to float32, as the engine computes in float32. Integer and bool tensors come
 * back unchanged (`num_batches_tracked` stays int64).
 */
export function toFloat32(tensor: HostTensor, name = 'tensor'): Float32Result {
  const { dtype, shape, data } = tensor;
  if (dtype === 'float16' || dtype === 'bfloat16') {
    const convert = dtype === 'float16' ? float16ToNumber : bfloat16ToNumber;
    const out = new Float32Array(data.length);
    const bits = data as Uint16Array;
    for (let i = 0; i < out.length; i++) out[i] = convert(bits[i]!);
    return {
      tensor: { dtype: 'float32', shape: [...shape], data: out },
      warning: `${name} was ${dtype}; converted to float32 (every value is kept exactly).`,
    };
  }
  if (dtype === 'float64') {
    const out = Float32Array.from(data as Float64Array);
    let overflowed = 0;
    for (let i = 0; i < out.length; i++)
      if (!Number.isFinite(out[i]!) && Number.isFinite((data as Float64Array)[i]!)) overflowed++;
    const note = overflowed ? ` ${overflowed} values were too large for float32 and became infinite.` : '';
    return {
      tensor: { dtype: 'float32', shape: [...shape], data: out },
      warning: `${name} was float64; converted to float32 (values rounded to float32 precision).${note}`,
    };
  }
  return { tensor, warning: null };
}

/** Every floating tensor of a state_dict in float32; one warning per converted tensor. */
export function stateDictToFloat32(stateDict: StateDict, warnings: string[]): StateDict {
  const out: StateDict = new Map();
  for (const [key, tensor] of stateDict) {
    const { tensor: converted, warning } = toFloat32(tensor, `\`${key}\``);
    if (warning) warnings.push(warning);
    out.set(key, converted);
  }
  return out;
}
