// Python values as the checkpoint writer takes them and the reader gives them back.

import type { HostTensor } from '../tensor.ts';

/** A Python tuple. JavaScript arrays are Python lists. */
export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

/**
 * A Python float. NOTE: the writer writes a JavaScript number that is a whole number as a Python int
 * (`'epoch': 3`) and any other number as a float; wrap a whole number in PyFloat to get `1.0`.
 */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** A `collections.OrderedDict`. A plain Map or object is a Python dict. */
export class PyOrderedDict {
  constructor(readonly entries: Map<PyKey, PyValue>) {}
}

/** Dict keys: what Python code puts in checkpoints (names, parameter indices). */
export type PyKey = string | number | bigint | boolean | null | PyTuple;

export interface PyRecord {
  [key: string]: PyValue;
}

/**
 * What the reader gives back: dicts (plain and ordered) as Map, lists as arrays, tuples as PyTuple,
 * ints as number (bigint past 2^53), floats as number, bytes as Uint8Array, sets as Set, tensors as HostTensor.
 */
export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | HostTensor
  | PyValue[]
  | PyTuple
  | PyFloat
  | PyOrderedDict
  | Map<PyKey, PyValue>
  | Set<PyKey>
  | PyRecord;

export function pyTuple(...items: PyValue[]): PyTuple {
  return new PyTuple(items);
}

export function pyFloat(value: number): PyFloat {
  return new PyFloat(value);
}
