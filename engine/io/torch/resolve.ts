// Turns what the pickle VM built into plain Python values: tensor views copied out, depth and cycles bounded.

import { CheckpointError } from './errors.ts';
import { type PyKey, PyTuple, type PyValue } from './python-values.ts';
import { MemoryBudget, materialize, StorageRef, TensorRef } from './storage.ts';
import { GlobalRef } from './torch-globals.ts';

export const MAX_NESTING = 100;

/**
 * Resolves every TensorRef to a HostTensor (named by its path, e.g. `state_dict['conv.weight']`, for errors).
 * NOTE: pickles can share and even cycle values through the memo; shared values resolve once (so a value used
 * a million times costs one copy) and a cycle is refused.
 */
export function resolveValues(root: unknown, bigEndian: boolean): PyValue {
  const budget = new MemoryBudget();
  const done = new Map<object, PyValue>();
  const active = new Set<object>();

  const walk = (value: unknown, path: string, depth: number): PyValue => {
    if (depth > MAX_NESTING)
      throw new CheckpointError(
        'tooDeep',
        `The checkpoint is nested more than ${MAX_NESTING} levels deep (at ${path}).`,
      );
    if (value === null || typeof value !== 'object') {
      if (value === undefined || typeof value === 'symbol' || typeof value === 'function')
        throw new CheckpointError('badPickle', `The checkpoint holds an unreadable value at ${path}.`);
      return value as PyValue;
    }
    const cached = done.get(value);
    if (cached !== undefined) return cached;
    if (active.has(value))
      throw new CheckpointError('tooDeep', `The checkpoint contains itself (at ${path}).`);
    active.add(value);
    let out: PyValue;
    if (value instanceof TensorRef) out = materialize(value, `tensor ${path}`, bigEndian, budget);
    else if (value instanceof Uint8Array) out = value;
    else if (value instanceof PyTuple)
      out = new PyTuple(value.items.map((item, i) => walk(item, `${path}[${i}]`, depth + 1)));
    else if (Array.isArray(value)) out = value.map((item, i) => walk(item, `${path}[${i}]`, depth + 1));
    else if (value instanceof Map) {
      const dict = new Map<PyKey, PyValue>();
      for (const [key, item] of value) {
        const resolvedKey = walk(key, `${path} key`, depth + 1);
        if (!isKey(resolvedKey))
          throw new CheckpointError('badPickle', `The checkpoint uses an unhashable dict key at ${path}.`);
        dict.set(resolvedKey, walk(item, `${path}[${describeKey(resolvedKey)}]`, depth + 1));
      }
      out = dict;
    } else if (value instanceof Set) {
      const set = new Set<PyKey>();
      for (const item of value) {
        const resolved = walk(item, `${path} item`, depth + 1);
        if (isKey(resolved)) set.add(resolved);
      }
      out = set;
    } else if (value instanceof GlobalRef) out = value.qualifiedName;
    else if (value instanceof StorageRef)
      throw new CheckpointError(
        'badPickle',
        `The checkpoint holds a bare tensor storage at ${path}, not a tensor.`,
      );
    else throw new CheckpointError('badPickle', `The checkpoint holds an unreadable value at ${path}.`);
    active.delete(value);
    done.set(value, out);
    return out;
  };
  return walk(root, 'checkpoint', 0);
}

function isKey(value: PyValue): value is PyKey {
  return value === null || typeof value !== 'object' || value instanceof PyTuple;
}

export function describeKey(key: PyKey): string {
  return typeof key === 'string' ? `'${key}'` : key instanceof PyTuple ? '(...)' : String(key);
}
