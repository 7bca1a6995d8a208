// Reads a .safetensors file, checking every header field, offset and size before touching the data.

import { DTYPE_BYTES, type DType, fromBytes, type StateDict, stateDictToFloat32 } from '../tensor.ts';
import { CheckpointError, toCheckpointError } from '../torch/errors.ts';
import { MAX_TENSOR_NUMEL } from '../torch/storage.ts';
import { DTYPE_OF_SAFETENSORS, MAX_HEADER_BYTES, UNSUPPORTED_SAFETENSORS_DTYPES } from './dtypes.ts';

export interface SafetensorsContents {
  /** Tensors in the order of their data in the file. */
  stateDict: StateDict;
  /** The header's `__metadata__` (string to string). */
  metadata: Map<string, string>;
  warnings: string[];
}

export interface SafetensorsReadOptions {
  /** Keep float16/bfloat16/float64 as they are instead of converting to float32. */
  keepDtypes?: boolean;
}

const bad = (message: string) => new CheckpointError('badSafetensors', message);

interface Entry {
  name: string;
  dtype: DType;
  shape: number[];
  begin: number;
  end: number;
}

export function readSafetensors(
  bytes: Uint8Array,
  options: SafetensorsReadOptions = {},
): SafetensorsContents {
  try {
    return read(bytes, options);
  } catch (error) {
    throw toCheckpointError(error);
  }
}

function read(bytes: Uint8Array, options: SafetensorsReadOptions): SafetensorsContents {
  if (bytes.length < 8)
    throw new CheckpointError(
      'truncated',
      `The file is only ${bytes.length} bytes long; it cannot be safetensors.`,
    );
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (headerLength > BigInt(MAX_HEADER_BYTES))
    throw bad(
      `The safetensors header claims ${headerLength} bytes; at most ${MAX_HEADER_BYTES} are allowed.`,
    );
  const dataStart = 8 + Number(headerLength);
  if (dataStart > bytes.length)
    throw new CheckpointError(
      'truncated',
      'The file is cut short: its safetensors header runs past the end of the file.',
    );
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart));
  } catch {
    throw bad('The safetensors header is not valid UTF-8 text.');
  }
  if (!text.startsWith('{'))
    throw bad('This is not a safetensors file (its header does not start with "{").');
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (error) {
    throw bad(`The safetensors header is not valid JSON (${(error as Error).message}).`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    throw bad('The safetensors header is not a JSON object.');

  const metadata = new Map<string, string>();
  const entries: Entry[] = [];
  for (const [name, field] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (typeof field !== 'object' || field === null || Array.isArray(field))
        throw bad('The safetensors __metadata__ is not an object.');
      for (const [key, value] of Object.entries(field)) {
        if (typeof value !== 'string')
          throw bad(`The safetensors metadata "${key}" is not text (metadata is string to string).`);
        metadata.set(key, value);
      }
      continue;
    }
    entries.push(parseEntry(name, field));
  }

  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  const dataLength = bytes.length - dataStart;
  let expected = 0;
  for (const entry of entries) {
    if (entry.begin !== expected)
      throw bad(
        entry.begin > expected
          ? `Tensor ${entry.name} starts at byte ${entry.begin} of the data, leaving a gap after byte ${expected}.`
          : `Tensor ${entry.name} overlaps the tensor before it (starts at byte ${entry.begin}, before ${expected}).`,
      );
    expected = entry.end;
  }
  if (expected !== dataLength)
    throw expected > dataLength
      ? new CheckpointError(
          'truncated',
          `The file is cut short: its tensors need ${expected} bytes of data but it has ${dataLength}.`,
        )
      : bad(`The file has ${dataLength - expected} bytes of data after its last tensor.`);

  const stateDict: StateDict = new Map();
  for (const entry of entries) {
    const data = fromBytes(entry.dtype, bytes.subarray(dataStart + entry.begin, dataStart + entry.end));
    stateDict.set(entry.name, { dtype: entry.dtype, shape: entry.shape, data });
  }
  const warnings: string[] = [];
  return {
    stateDict: options.keepDtypes ? stateDict : stateDictToFloat32(stateDict, warnings),
    metadata,
    warnings,
  };
}

function parseEntry(name: string, field: unknown): Entry {
  if (typeof field !== 'object' || field === null || Array.isArray(field))
    throw bad(`The safetensors entry for ${name} is not an object.`);
  const { dtype: dtypeName, shape, data_offsets: offsets } = field as Record<string, unknown>;
  if (typeof dtypeName !== 'string') throw bad(`Tensor ${name} has no dtype.`);
  const dtype = DTYPE_OF_SAFETENSORS.get(dtypeName);
  if (!dtype)
    throw UNSUPPORTED_SAFETENSORS_DTYPES.has(dtypeName)
      ? new CheckpointError('badTensor', `Tensor ${name} is ${dtypeName}, a dtype NeuroCanvas cannot hold.`)
      : bad(`Tensor ${name} has an unknown dtype "${dtypeName}".`);
  const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
  if (!Array.isArray(shape) || !shape.every(isCount))
    throw bad(`Tensor ${name} has a shape that is not a list of whole numbers of at least 0.`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[0]! > offsets[1]!)
    throw bad(`Tensor ${name} has data_offsets that are not [begin, end] with begin <= end.`);
  let count = 1;
  for (const size of shape) count *= size;
  if (count > MAX_TENSOR_NUMEL)
    throw new CheckpointError(
      'tooLarge',
      `Tensor ${name} has shape [${shape}]; at most ${MAX_TENSOR_NUMEL} elements are read.`,
    );
  const [begin, end] = offsets as [number, number];
  if (end - begin !== count * DTYPE_BYTES[dtype])
    throw bad(
      `Tensor ${name} is ${dtypeName} with shape [${shape}], so it needs ${count * DTYPE_BYTES[dtype]} bytes, ` +
        `but its data_offsets span ${end - begin}.`,
    );
  return { name, dtype, shape: [...shape], begin, end };
}
