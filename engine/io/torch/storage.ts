// Tensor storages and views as a checkpoint describes them, and copying a view out of its storage safely.

import { allocate, DTYPE_BYTES, type DType, type HostTensor, type TensorData } from '../tensor.ts';
import { CheckpointError } from './errors.ts';

/** One block of raw bytes, shared by every tensor that views it (torch's `data/<key>` entry). */
export class StorageRef {
  /** Filled in after unpickling, once the container's data is read. */
  bytes: Uint8Array | null = null;
  constructor(
    readonly key: string,
    /** The element type the storage was saved as (uint8 for an untyped storage). */
    readonly dtype: DType,
    /** Declared length in elements of `dtype`. */
    readonly numel: number,
  ) {}
  get byteLength(): number {
    return this.numel * DTYPE_BYTES[this.dtype];
  }
}

/** A tensor as a view of a storage: offset and strides count elements of the tensor's dtype. */
export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly dtype: DType,
    readonly offset: number,
    readonly shape: number[],
    readonly stride: number[],
  ) {}
}

/** No single tensor may hold more elements than this (and the engine indexes with i32). */
export const MAX_TENSOR_NUMEL = 2 ** 31 - 1;
const MAX_DIMS = 64;

/** Checks that a size or stride tuple holds sane integers; `what` names it for the user. */
export function checkDims(values: unknown[], what: string, tensor: string): number[] {
  if (values.length > MAX_DIMS)
    throw new CheckpointError(
      'badTensor',
      `${tensor} has ${values.length} dimensions; at most ${MAX_DIMS} are read.`,
    );
  return values.map((value) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
      throw new CheckpointError(
        'badTensor',
        `${tensor} has an impossible ${what} (${String(value)}): it must be a whole number of at least 0.`,
      );
    return value;
  });
}

/** Counts materialized bytes over a whole file, so stride tricks cannot make one small file fill memory. */
export class MemoryBudget {
  private used = 0;
  constructor(private readonly limit = 2 ** 31) {}
  spend(bytes: number, tensor: string): void {
    this.used += bytes;
    if (this.used > this.limit)
      throw new CheckpointError(
        'tooLarge',
        `Loading ${tensor} would take the checkpoint past ${this.limit / 2 ** 30} GiB of tensor data.`,
      );
  }
}

/**
 * Copies a (possibly strided, offset) view out of its storage into a new C-contiguous tensor.
 * NOTE: several tensors may view one storage (slices, transposes, tied weights); each gets its own copy.
 */
export function materialize(
  ref: TensorRef,
  name: string,
  bigEndian: boolean,
  budget: MemoryBudget,
): HostTensor {
  const { storage, dtype, offset, shape, stride } = ref;
  let count = 1;
  for (const size of shape) count *= size;
  if (count > MAX_TENSOR_NUMEL)
    throw new CheckpointError(
      'tooLarge',
      `${name} has shape [${shape}] (${count} elements); at most ${MAX_TENSOR_NUMEL} elements per tensor are read.`,
    );
  const bytes = storage.bytes;
  if (!bytes)
    throw new CheckpointError('missingRecord', `The data of ${name} (storage ${storage.key}) is missing.`);
  const itemSize = DTYPE_BYTES[dtype];
  const available = Math.floor(Math.min(bytes.length, storage.byteLength) / itemSize);
  if (count > 0) {
    let last = offset;
    for (let d = 0; d < shape.length; d++) last += (shape[d]! - 1) * stride[d]!;
    if (last >= available)
      throw new CheckpointError(
        'badTensor',
        `${name} does not fit its storage: shape [${shape}], stride [${stride}] and offset ${offset} reach ` +
          `element ${last}, but storage ${storage.key} holds only ${available} ${dtype} elements.`,
      );
  }
  budget.spend(count * itemSize, name);
  let out: TensorData;
  try {
    out = allocate(dtype, count);
  } catch {
    throw new CheckpointError('tooLarge', `There is not enough memory to load ${name} (shape [${shape}]).`);
  }
  const target = new Uint8Array(out.buffer);
  if (count === 0) return { dtype, shape: [...shape], data: out };

  let contiguous = true;
  for (let d = shape.length - 1, expected = 1; d >= 0; d--) {
    if (shape[d] !== 1 && stride[d] !== expected) contiguous = false;
    expected *= shape[d]!;
  }
  if (contiguous) {
    target.set(bytes.subarray(offset * itemSize, (offset + count) * itemSize));
  } else {
    // Odometer over the indices; copies one element's bytes at a time.
    const index = new Array<number>(shape.length).fill(0);
    let source = offset;
    for (let i = 0; i < count; i++) {
      const from = source * itemSize;
      for (let b = 0; b < itemSize; b++) target[i * itemSize + b] = bytes[from + b]!;
      for (let d = shape.length - 1; d >= 0; d--) {
        index[d]!++;
        source += stride[d]!;
        if (index[d]! < shape[d]!) break;
        source -= stride[d]! * shape[d]!;
        index[d] = 0;
      }
    }
  }
  if (bigEndian && itemSize > 1) {
    for (let i = 0; i < target.length; i += itemSize) target.subarray(i, i + itemSize).reverse();
  }
  return { dtype, shape: [...shape], data: out };
}
