// Bounds-checked reads of pickle operands: running past the end always means the file was cut short.

import { CheckpointError } from './errors.ts';

/** Checkpoints hold small integers; a huge one is an attack on bigint arithmetic. */
const MAX_LONG_BYTES = 1024;

export class PickleInput {
  at: number;
  private readonly view: DataView;
  private readonly decoder = new TextDecoder();

  constructor(
    readonly bytes: Uint8Array,
    readonly where: string,
    start: number,
  ) {
    this.at = start;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(count: number): void {
    if (count < 0 || this.at + count > this.bytes.length)
      throw new CheckpointError(
        'truncated',
        `The file is cut short: ${this.where} ends in the middle of a value.`,
      );
  }

  take(count: number): Uint8Array {
    this.need(count);
    this.at += count;
    return this.bytes.subarray(this.at - count, this.at);
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.at++]!;
  }

  u16(): number {
    this.need(2);
    this.at += 2;
    return this.view.getUint16(this.at - 2, true);
  }

  i32(): number {
    this.need(4);
    this.at += 4;
    return this.view.getInt32(this.at - 4, true);
  }

  u32(): number {
    this.need(4);
    this.at += 4;
    return this.view.getUint32(this.at - 4, true);
  }

  /** A u64 length. NOTE: one past the end of the file means the file was cut short. */
  length64(): number {
    this.need(8);
    this.at += 8;
    const value = this.view.getBigUint64(this.at - 8, true);
    if (value > BigInt(this.bytes.length - this.at)) this.need(this.bytes.length + 1);
    return Number(value);
  }

  /** BINFLOAT's operand. NOTE: big-endian, unlike everything else in a pickle. */
  f64(): number {
    this.need(8);
    this.at += 8;
    return this.view.getFloat64(this.at - 8, false);
  }

  text(count: number): string {
    return this.decoder.decode(this.take(count));
  }

  /** The rest of a text line (protocol 0 operands and GLOBAL names), without its newline. */
  line(): string {
    const end = this.bytes.indexOf(0x0a, this.at);
    if (end < 0) this.need(this.bytes.length + 1);
    const text = this.decoder.decode(this.bytes.subarray(this.at, end));
    this.at = end + 1;
    return text;
  }
}

/** LONG1 / LONG4 operands: little-endian two's complement. Null if absurdly long. */
export function decodeLong(data: Uint8Array): number | bigint | null {
  if (data.length === 0) return 0;
  if (data.length > MAX_LONG_BYTES) return null;
  let value = 0n;
  for (let i = data.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(data[i]!);
  if (data[data.length - 1]! & 0x80) value -= 1n << BigInt(8 * data.length);
  return narrow(value);
}

/** Protocol 0's text integers ("123", "123L"; "00"/"01" are False/True). Null if not one. */
export function decodeTextInt(text: string): number | bigint | boolean | null {
  if (text === '00') return false;
  if (text === '01') return true;
  if (text.length > MAX_LONG_BYTES || !/^[-+]?\d+L?$/.test(text)) return null;
  return narrow(BigInt(text.replace(/L$/, '')));
}

/** Python ints: a number while exact, a bigint past 2^53. */
function narrow(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value;
}
