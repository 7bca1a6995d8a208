// Opens a PyTorch checkpoint (.pt/.pth) and finds its state_dict: plain, or under 'state_dict' / 'model'.

import { isHostTensor, type StateDict, stateDictToFloat32 } from '../tensor.ts';
import { unpickleTorchZip } from './archive.ts';
import { CheckpointError, toCheckpointError } from './errors.ts';
import { isLegacyCheckpoint, isTarCheckpoint, unpickleLegacy } from './legacy.ts';
import { type PyKey, PyOrderedDict, PyTuple, type PyValue } from './python-values.ts';
import { isZip } from './zip-read.ts';

export interface CheckpointContents {
  /** The model's tensors in file order; floating tensors in float32 unless `keepDtypes`. */
  stateDict: StateDict;
  /** Things the user should know (dtype conversions, values that were skipped). */
  warnings: string[];
  /** The other top-level entries of a training checkpoint (`epoch`, `optimizer`, ...), keys as text. */
  extra: Map<string, PyValue>;
}

export interface ReadOptions {
  /** Keep float16/bfloat16/float64 as they are instead of converting to float32. */
  keepDtypes?: boolean;
}

/** Keys under which training scripts commonly nest the model's state_dict, in order of preference. */
export const STATE_DICT_KEYS = ['state_dict', 'model_state_dict', 'model'];

/** The whole Python value a checkpoint holds (zip or legacy format), tensors included. */
export async function readPickledValue(bytes: Uint8Array): Promise<PyValue> {
  try {
    return await readValue(bytes);
  } catch (error) {
    throw toCheckpointError(error);
  }
}

async function readValue(bytes: Uint8Array): Promise<PyValue> {
  if (isZip(bytes)) return unpickleTorchZip(bytes);
  if (isLegacyCheckpoint(bytes)) return unpickleLegacy(bytes);
  if (isTarCheckpoint(bytes))
    throw new CheckpointError(
      'notCheckpoint',
      'This is a checkpoint from PyTorch before 0.4 (tar format), which NeuroCanvas cannot read. Load it in ' +
        'PyTorch and save it again with torch.save.',
    );
  if (looksLikeSafetensors(bytes))
    throw new CheckpointError('notCheckpoint', 'This is a safetensors file, not a PyTorch .pt checkpoint.');
  if (bytes.length < 22)
    throw new CheckpointError(
      'truncated',
      `The file is only ${bytes.length} bytes long; it cannot be a checkpoint.`,
    );
  throw new CheckpointError(
    'notCheckpoint',
    'This is not a PyTorch checkpoint (neither torch.save zip nor legacy format).',
  );
}

export async function readCheckpoint(
  bytes: Uint8Array,
  options: ReadOptions = {},
): Promise<CheckpointContents> {
  const warnings: string[] = [];
  const value = await readPickledValue(bytes);
  const { stateDict, extra } = findStateDict(value, warnings);
  return {
    stateDict: options.keepDtypes ? stateDict : stateDictToFloat32(stateDict, warnings),
    warnings,
    extra,
  };
}

/** Picks the state_dict out of a checkpoint's top-level value; `warnings` collects what was skipped. */
export function findStateDict(
  value: PyValue,
  warnings: string[],
): { stateDict: StateDict; extra: Map<string, PyValue> } {
  const top = asDict(value);
  if (!top) {
    throw new CheckpointError(
      'noStateDict',
      `The checkpoint holds ${describeValue(value)}, not a state_dict (a dict of named tensors).`,
    );
  }
  if (top.size === 0) return { stateDict: new Map(), extra: new Map() };
  for (const key of STATE_DICT_KEYS) {
    const nested = asDict(top.get(key) ?? null);
    if (!nested || ![...nested.values()].some(isHostTensor)) continue;
    const extra = new Map<string, PyValue>();
    for (const [other, item] of top) if (other !== key) extra.set(String(other), item);
    return { stateDict: tensorsOf(nested, warnings, `'${key}'`), extra };
  }
  if ([...top.values()].some(isHostTensor)) {
    const extra = new Map<string, PyValue>();
    for (const [key, item] of top) if (!isHostTensor(item)) extra.set(String(key), item);
    if (extra.size)
      warnings.push(
        `The state_dict also holds ${extra.size} values that are not tensors (${[...extra.keys()].slice(0, 5).join(', ')}); they were skipped.`,
      );
    return { stateDict: tensorsOf(top, warnings, 'the file'), extra };
  }
  const keys = [...top.keys()].slice(0, 10).map(String).join(', ');
  throw new CheckpointError(
    'noStateDict',
    `The checkpoint holds no tensors at its top level or under ${STATE_DICT_KEYS.map((k) => `'${k}'`).join(', ')}` +
      (keys ? ` (its keys: ${keys}).` : ' (it is empty).'),
  );
}

function describeValue(value: PyValue): string {
  if (isHostTensor(value)) return 'a single tensor';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof PyTuple) return 'a tuple';
  if (value === null) return 'None';
  return typeof value === 'object' ? 'a Python object' : `a ${typeof value}`;
}

function asDict(value: PyValue): Map<PyKey, PyValue> | null {
  if (value instanceof Map) return value;
  if (value instanceof PyOrderedDict) return value.entries;
  return null;
}

function tensorsOf(dict: Map<PyKey, PyValue>, warnings: string[], where: string): StateDict {
  const stateDict: StateDict = new Map();
  const skipped: string[] = [];
  for (const [key, item] of dict) {
    if (isHostTensor(item)) stateDict.set(String(key), item);
    else skipped.push(String(key));
  }
  if (skipped.length)
    warnings.push(
      `${skipped.length} entries of ${where} are not tensors and were skipped: ${skipped.slice(0, 5).join(', ')}.`,
    );
  return stateDict;
}

function looksLikeSafetensors(bytes: Uint8Array): boolean {
  if (bytes.length < 10) return false;
  const size = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  return size > 1n && size < BigInt(bytes.length) && bytes[8] === 0x7b; // '{'
}
