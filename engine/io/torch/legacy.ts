// Reads torch's legacy (pre-1.6, `_use_new_zipfile_serialization=False`) format: pickles back to back, then raw storages.

import { DTYPE_BYTES } from '../tensor.ts';
import { CheckpointError } from './errors.ts';
import { unpickle } from './pickle-read.ts';
import { PyTuple, type PyValue } from './python-values.ts';
import { resolveValues } from './resolve.ts';
import { StorageRef } from './storage.ts';
import { torchHooks } from './torch-globals.ts';

const MAGIC = 0x1950a86a20f9469cfc6cn;
const PROTOCOL_VERSION = 1001;

/** The legacy file starts with a pickled LONG1 magic number: PROTO 2, LONG1 10 bytes. */
export function isLegacyCheckpoint(bytes: Uint8Array): boolean {
  return bytes.length > 4 && bytes[0] === 0x80 && bytes[1] === 0x02 && bytes[2] === 0x8a && bytes[3] === 0x0a;
}

/** The tar format of PyTorch before 0.4. */
export function isTarCheckpoint(bytes: Uint8Array): boolean {
  return bytes.length > 262 && new TextDecoder().decode(bytes.subarray(257, 262)) === 'ustar';
}

export function unpickleLegacy(bytes: Uint8Array): PyValue {
  const plain = torchHooks();
  const magic = unpickle(bytes, plain, 'magic number');
  if (magic.value !== MAGIC)
    throw new CheckpointError('notCheckpoint', 'This is not a PyTorch checkpoint (wrong magic number).');
  const protocol = unpickle(bytes, plain, 'header', magic.end);
  if (protocol.value !== PROTOCOL_VERSION)
    throw new CheckpointError(
      'notCheckpoint',
      `This legacy checkpoint has protocol ${String(protocol.value)}, which is not known.`,
    );
  const info = unpickle(bytes, plain, 'header', protocol.end);
  const bigEndian = info.value instanceof Map && info.value.get('little_endian') === false;

  // NOTE: legacy storage ids carry a 6th item, (view_key, offset, size), for storages that view another.
  const views: { view: StorageRef; root: StorageRef; offset: number }[] = [];
  const viewsByKey = new Map<string, StorageRef>();
  const hooks = torchHooks((root, metadata) => {
    const items = metadata instanceof PyTuple ? metadata.items : [];
    const [key, offset, size] = items;
    if (
      items.length !== 3 ||
      typeof offset !== 'number' ||
      typeof size !== 'number' ||
      offset < 0 ||
      size < 0
    )
      throw new CheckpointError(
        'badPickle',
        'The checkpoint describes a storage view in a form that is not known.',
      );
    let view = viewsByKey.get(String(key));
    if (!view) {
      view = new StorageRef(String(key), root.dtype, size);
      viewsByKey.set(view.key, view);
      views.push({ view, root, offset });
    }
    return view;
  });
  const main = unpickle(bytes, hooks, 'data', info.end);
  const keys = unpickle(bytes, plain, 'storage list', main.end);
  if (!Array.isArray(keys.value))
    throw new CheckpointError('badPickle', 'The legacy checkpoint has no list of its tensor storages.');

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = keys.end;
  for (const key of keys.value) {
    const storage = hooks.storages.get(String(key));
    if (!storage)
      throw new CheckpointError(
        'badPickle',
        `The legacy checkpoint lists storage ${String(key)}, which no tensor uses.`,
      );
    if (at + 8 > bytes.length)
      throw new CheckpointError(
        'truncated',
        `The file is cut short before the data of storage ${storage.key}.`,
      );
    const count = Number(view.getBigInt64(at, !bigEndian));
    const byteCount = count * DTYPE_BYTES[storage.dtype];
    at += 8;
    if (count < 0 || at + byteCount > bytes.length)
      throw new CheckpointError('truncated', `The file is cut short in the data of storage ${storage.key}.`);
    if (count < storage.numel)
      throw new CheckpointError(
        'badTensor',
        `Storage ${storage.key} should hold ${storage.numel} elements but has ${count}.`,
      );
    storage.bytes = bytes.subarray(at, at + byteCount);
    at += byteCount;
  }
  for (const storage of hooks.storages.values())
    if (!storage.bytes)
      throw new CheckpointError(
        'missingRecord',
        `The checkpoint is missing the data of tensor storage ${storage.key}.`,
      );
  for (const { view: storageView, root, offset } of views) {
    const size = DTYPE_BYTES[root.dtype];
    const end = (offset + storageView.numel) * size;
    if (end > root.bytes!.length)
      throw new CheckpointError(
        'badTensor',
        `Storage view ${storageView.key} reaches past the end of storage ${root.key}.`,
      );
    storageView.bytes = root.bytes!.subarray(offset * size, end);
  }
  return resolveValues(main.value, bigEndian);
}
