// Reads the value inside torch's zip checkpoint: data.pkl, then each data/<key> storage it points at.

import { CheckpointError } from './errors.ts';
import { unpickle } from './pickle-read.ts';
import type { PyValue } from './python-values.ts';
import { resolveValues } from './resolve.ts';
import { torchHooks } from './torch-globals.ts';
import { openZip } from './zip-read.ts';

/** Format versions torch.save has written (3 since 1.6); TorchScript uses higher ones. */
const MAX_VERSION = 10;

export async function unpickleTorchZip(bytes: Uint8Array): Promise<PyValue> {
  const zip = openZip(bytes);
  const first = zip.names[0];
  const slash = first?.indexOf('/') ?? -1;
  if (!first || slash <= 0)
    throw new CheckpointError(
      'notCheckpoint',
      'This zip file is not a PyTorch checkpoint (torch.save puts every entry in one top-level folder).',
    );
  // NOTE: torch takes the folder name from the first entry, whatever it is; every record lives under it.
  const prefix = first.slice(0, slash + 1);
  const has = (record: string) => zip.entries.has(prefix + record);
  if (has('constants.pkl'))
    throw new CheckpointError(
      'notCheckpoint',
      'This is a TorchScript model (torch.jit.save), not a state_dict. In Python, save model.state_dict() ' +
        'with torch.save and open that file instead.',
    );
  if (!has('data.pkl'))
    throw new CheckpointError(
      'missingRecord',
      `The checkpoint has no ${prefix}data.pkl, so it holds nothing to read.`,
    );
  if (!has('version'))
    throw new CheckpointError(
      'missingRecord',
      `The checkpoint has no ${prefix}version record; torch.save always writes one, so the file is incomplete.`,
    );
  const versionText = new TextDecoder().decode(await zip.read(`${prefix}version`)).trim();
  const version = Number(versionText);
  if (!/^\d+$/.test(versionText) || version < 1 || version > MAX_VERSION)
    throw new CheckpointError(
      'notCheckpoint',
      `The checkpoint has format version "${versionText}", which is not known.`,
    );

  let bigEndian = false;
  if (has('byteorder')) {
    const order = new TextDecoder().decode(await zip.read(`${prefix}byteorder`)).trim();
    if (order !== 'little' && order !== 'big')
      throw new CheckpointError(
        'badPickle',
        `The checkpoint's byte order is "${order}" (expected little or big).`,
      );
    bigEndian = order === 'big';
  }

  const hooks = torchHooks();
  const pickle = await zip.read(`${prefix}data.pkl`);
  const { value, end } = unpickle(pickle, hooks, 'data.pkl');
  if (end !== pickle.length)
    throw new CheckpointError('badPickle', 'The checkpoint has extra bytes after its data.');

  for (const storage of hooks.storages.values()) {
    const record = `${prefix}data/${storage.key}`;
    if (!zip.entries.has(record))
      throw new CheckpointError(
        'missingRecord',
        `The checkpoint is missing the data of tensor storage ${storage.key} (entry ${record}).`,
      );
    const data = await zip.read(record);
    if (data.length < storage.byteLength)
      throw new CheckpointError(
        'badTensor',
        `Tensor storage ${storage.key} should hold ${storage.byteLength} bytes but entry ${record} has only ${data.length}.`,
      );
    storage.bytes = data;
  }
  return resolveValues(value, bigEndian);
}
