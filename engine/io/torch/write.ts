// Writes checkpoints torch.load reads: a state_dict (loads with weights_only=True) or any nested Python value.

import { type HostTensor, hostTensor, type StateDict, tensorBytes } from '../tensor.ts';
import { CheckpointError } from './errors.ts';
import { PickleWriter } from './pickle-write.ts';
import { PyOrderedDict, type PyValue } from './python-values.ts';
import { writeZip, type ZipInput } from './zip-write.ts';

export interface WriteOptions {
  /** The zip's top-level folder; torch.save uses the file name without extension. Default `archive`. */
  archiveName?: string;
}

/**
 * `torch.save(state_dict, path)`: an OrderedDict of tensors in the map's order. Holds only tensors,
 * so torch 1.13 loads it with `weights_only=True`.
 */
export function writeStateDict(stateDict: StateDict, options: WriteOptions = {}): Uint8Array {
  return writeCheckpoint(new PyOrderedDict(new Map(stateDict)), options);
}

/**
 * `torch.save(value, path)` for any nested value: dicts, lists, tuples, numbers, strings, bools, None, tensors.
 * NOTE: torch 1.13's `weights_only=True` refuses Python floats; a value holding any needs `weights_only=False`.
 */
export function writeCheckpoint(value: PyValue, options: WriteOptions = {}): Uint8Array {
  const prefix = options.archiveName ?? 'archive';
  if (!/^[A-Za-z0-9_.-]+$/.test(prefix))
    throw new CheckpointError(
      'cannotWrite',
      `"${prefix}" cannot name a checkpoint's folder (letters, digits, _ . - only).`,
    );
  const storages: ZipInput[] = [];
  const keys = new Map<HostTensor, string>();
  // NOTE: the same tensor object written twice (tied weights) shares one storage, as in torch.
  const storageKeyFor = (tensor: HostTensor) => {
    const known = keys.get(tensor);
    if (known !== undefined) return known;
    try {
      hostTensor(tensor.dtype, tensor.shape, tensor.data); // checks shape, length and array class
    } catch (error) {
      throw new CheckpointError('cannotWrite', `A tensor cannot be written: ${(error as Error).message}.`);
    }
    const key = String(keys.size);
    keys.set(tensor, key);
    // NOTE: typed arrays are in the machine's byte order, little-endian on every platform we ship to.
    storages.push({ name: `${prefix}/data/${key}`, data: tensorBytes(tensor) });
    return key;
  };
  const pickle = PickleWriter.dump(value, storageKeyFor);
  return writeZip([
    { name: `${prefix}/data.pkl`, data: pickle },
    { name: `${prefix}/byteorder`, data: new TextEncoder().encode('little') },
    ...storages,
    { name: `${prefix}/version`, data: new TextEncoder().encode('3\n') },
  ]);
}
