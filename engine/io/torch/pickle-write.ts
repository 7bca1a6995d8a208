// Writes Python values as a protocol-2 pickle the way torch.save does, with tensors as persistent storages.

import { type HostTensor, isHostTensor } from '../tensor.ts';
import { CheckpointError } from './errors.ts';
import { OP } from './pickle-opcodes.ts';
import { PyFloat, PyOrderedDict, PyTuple, type PyValue } from './python-values.ts';
import { STORAGE_CLASS } from './torch-dtypes.ts';

/** Where a tensor's bytes go: the zip entry `data/<key>`. */
export type StorageKeyFor = (tensor: HostTensor) => string;

const MAX_DEPTH = 100;
/** pickle batches SETITEMS / APPENDS at this size; Python's own writer does the same. */
const BATCH = 1000;

export class PickleWriter {
  private bytes = new Uint8Array(1024);
  private length = 0;
  private readonly memo = new Map<string, number>();
  private readonly encoder = new TextEncoder();

  constructor(private readonly storageKeyFor: StorageKeyFor) {}

  /** The whole pickle of one value: PROTO 2, the value, STOP. */
  static dump(value: PyValue, storageKeyFor: StorageKeyFor): Uint8Array {
    const writer = new PickleWriter(storageKeyFor);
    writer.byte(OP.PROTO, 2);
    writer.value(value, 0);
    writer.byte(OP.STOP);
    return writer.bytes.slice(0, writer.length);
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + extra));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  private byte(...values: number[]): void {
    this.reserve(values.length);
    for (const v of values) this.bytes[this.length++] = v;
  }

  private raw(data: Uint8Array): void {
    this.reserve(data.length);
    this.bytes.set(data, this.length);
    this.length += data.length;
  }

  private u32(value: number): void {
    this.byte(value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff);
  }

  private string(text: string): void {
    const utf8 = this.encoder.encode(text);
    this.byte(OP.BINUNICODE);
    this.u32(utf8.length);
    this.raw(utf8);
  }

  /** GLOBAL, memoized so a file with many tensors names `_rebuild_tensor_v2` once. */
  private global(module: string, name: string): void {
    const key = `${module}\n${name}\n`;
    const slot = this.memo.get(key);
    if (slot !== undefined) {
      if (slot < 256) this.byte(OP.BINGET, slot);
      else {
        this.byte(OP.LONG_BINGET);
        this.u32(slot);
      }
      return;
    }
    this.byte(OP.GLOBAL);
    this.raw(this.encoder.encode(key));
    const index = this.memo.size;
    this.memo.set(key, index);
    if (index < 256) this.byte(OP.BINPUT, index);
    else {
      this.byte(OP.LONG_BINPUT);
      this.u32(index);
    }
  }

  private int(value: bigint): void {
    if (value >= 0n && value < 256n) {
      this.byte(OP.BININT1, Number(value));
      return;
    }
    if (value >= 0n && value < 65536n) {
      this.byte(OP.BININT2, Number(value) & 0xff, Number(value) >> 8);
      return;
    }
    if (value >= -(2n ** 31n) && value < 2n ** 31n) {
      this.byte(OP.BININT);
      this.u32(Number(value) >>> 0);
      return;
    }
    // LONG1: minimal little-endian two's complement, as pickle.encode_long writes it.
    let size = 1;
    while (value < -(2n ** BigInt(8 * size - 1)) || value >= 2n ** BigInt(8 * size - 1)) size++;
    if (size > 255) throw new CheckpointError('cannotWrite', `The integer ${value} is too large to write.`);
    let bits = BigInt.asUintN(8 * size, value);
    this.byte(OP.LONG1, size);
    for (let i = 0; i < size; i++) {
      this.byte(Number(bits & 0xffn));
      bits >>= 8n;
    }
  }

  private float(value: number): void {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setFloat64(0, value, false); // NOTE: BINFLOAT is big-endian
    this.byte(OP.BINFLOAT);
    this.raw(bytes);
  }

  private tuple(items: readonly PyValue[], depth: number): void {
    if (items.length === 0) {
      this.byte(OP.EMPTY_TUPLE);
      return;
    }
    if (items.length > 3) this.byte(OP.MARK);
    for (const item of items) this.value(item, depth + 1);
    this.byte(
      items.length === 1
        ? OP.TUPLE1
        : items.length === 2
          ? OP.TUPLE2
          : items.length === 3
            ? OP.TUPLE3
            : OP.TUPLE,
    );
  }

  private items(entries: Iterable<[PyValue, PyValue]>, depth: number): void {
    let batch = 0;
    for (const [key, item] of entries) {
      if (batch === 0) this.byte(OP.MARK);
      this.value(key, depth + 1);
      this.value(item, depth + 1);
      if (++batch === BATCH) {
        this.byte(OP.SETITEMS);
        batch = 0;
      }
    }
    if (batch > 0) this.byte(OP.SETITEMS);
  }

  private orderedDict(): void {
    this.global('collections', 'OrderedDict');
    this.byte(OP.EMPTY_TUPLE, OP.REDUCE);
  }

  /**
   * `torch._utils._rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict())`.
   * NOTE: exactly 6 arguments (torch 1.13 has no 7th), and backward_hooks must be an OrderedDict, not None.
   */
  private tensor(tensor: HostTensor): void {
    const key = this.storageKeyFor(tensor);
    const strides: bigint[] = [];
    let step = 1n;
    for (let i = tensor.shape.length - 1; i >= 0; i--) {
      strides.unshift(step);
      step *= BigInt(tensor.shape[i]!);
    }
    this.global('torch._utils', '_rebuild_tensor_v2');
    this.byte(OP.MARK, OP.MARK);
    this.string('storage');
    this.global('torch', STORAGE_CLASS[tensor.dtype]);
    this.string(key);
    this.string('cpu');
    this.int(BigInt(tensor.data.length));
    this.byte(OP.TUPLE, OP.BINPERSID);
    this.int(0n);
    this.tuple(
      tensor.shape.map((size) => BigInt(size)),
      0,
    );
    this.tuple(strides, 0);
    this.byte(OP.NEWFALSE);
    this.orderedDict();
    this.byte(OP.TUPLE, OP.REDUCE);
  }

  value(value: PyValue, depth: number): void {
    if (depth > MAX_DEPTH)
      throw new CheckpointError(
        'cannotWrite',
        `The value is nested more than ${MAX_DEPTH} levels deep (a cycle?).`,
      );
    if (value === null) {
      this.byte(OP.NONE);
      return;
    }
    if (value === true) {
      this.byte(OP.NEWTRUE);
      return;
    }
    if (value === false) {
      this.byte(OP.NEWFALSE);
      return;
    }
    if (typeof value === 'bigint') {
      this.int(value);
      return;
    }
    if (typeof value === 'number') {
      if (Number.isSafeInteger(value)) this.int(BigInt(value));
      else this.float(value);
      return;
    }
    if (typeof value === 'string') {
      this.string(value);
      return;
    }
    if (value instanceof PyFloat) {
      this.float(value.value);
      return;
    }
    if (value instanceof PyTuple) {
      this.tuple(value.items, depth);
      return;
    }
    if (isHostTensor(value)) {
      this.tensor(value);
      return;
    }
    if (Array.isArray(value)) {
      this.byte(OP.EMPTY_LIST);
      for (let i = 0; i < value.length; i += BATCH) {
        this.byte(OP.MARK);
        for (const item of value.slice(i, i + BATCH)) this.value(item, depth + 1);
        this.byte(OP.APPENDS);
      }
      return;
    }
    if (value instanceof PyOrderedDict) {
      this.orderedDict();
      this.items(value.entries, depth);
      return;
    }
    if (value instanceof Map) {
      this.byte(OP.EMPTY_DICT);
      this.items(value, depth);
      return;
    }
    if (value instanceof Uint8Array || value instanceof Set)
      throw new CheckpointError('cannotWrite', 'Bytes and sets cannot be written to a checkpoint.');
    this.byte(OP.EMPTY_DICT);
    this.items(Object.entries(value), depth);
  }
}
