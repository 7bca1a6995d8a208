// A minimal streaming tar reader: 512-byte headers (ustar, pax and GNU long names), file data handed on in chunks.

import { DataError } from './errors.ts';

export interface TarEntry {
  /** Path inside the archive, '/'-separated. */
  name: string;
  size: number;
}

/** Receives one file's data as it streams past. */
export interface TarSink {
  data(chunk: Uint8Array): void;
  end(): void;
}

/** Asked at each regular file for a sink; returning undefined skips the file's data. */
export type TarHandler = (entry: TarEntry) => TarSink | undefined;

const BLOCK = 512;

export class TarReader {
  private header = new Uint8Array(BLOCK);
  private headerFilled = 0;
  /** Bytes left in the current entry's data, then in its padding. */
  private dataLeft = 0;
  private padLeft = 0;
  private sink: TarSink | undefined;
  private current = '';
  /** Collects a pax or GNU long-name record that applies to the next entry. */
  private meta: { type: string; bytes: Uint8Array; filled: number } | undefined;
  private nextName: string | undefined;
  private ended = false;

  constructor(
    private readonly handler: TarHandler,
    private readonly archive: string,
  ) {}

  push(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length && !this.ended) {
      if (this.dataLeft > 0) {
        const take = Math.min(this.dataLeft, chunk.length - at);
        const piece = chunk.subarray(at, at + take);
        if (this.meta) {
          this.meta.bytes.set(piece, this.meta.filled);
          this.meta.filled += take;
        } else this.sink?.data(piece);
        at += take;
        this.dataLeft -= take;
        if (this.dataLeft === 0) this.endEntry();
      } else if (this.padLeft > 0) {
        const take = Math.min(this.padLeft, chunk.length - at);
        at += take;
        this.padLeft -= take;
      } else {
        const take = Math.min(BLOCK - this.headerFilled, chunk.length - at);
        this.header.set(chunk.subarray(at, at + take), this.headerFilled);
        this.headerFilled += take;
        at += take;
        if (this.headerFilled === BLOCK) {
          this.headerFilled = 0;
          this.readHeader();
        }
      }
    }
  }

  /** Call when the input ends; throws if it ended inside an entry or a header. */
  finish(): void {
    if (this.ended) return;
    if (this.dataLeft > 0 || this.headerFilled > 0 || this.meta)
      throw new DataError(
        'truncated',
        this.archive,
        `the archive is cut short${this.current ? ` (it ends inside ${this.current})` : ''}.`,
      );
    // NOTE: an archive that stops at an entry boundary without the two zero blocks is accepted, as GNU tar does.
  }

  private readHeader(): void {
    const h = this.header;
    if (h.every((byte) => byte === 0)) {
      this.ended = true;
      return;
    }
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
    if (sum !== octal(h, 148, 8))
      throw new DataError(
        'damaged',
        this.archive,
        `the archive is damaged: a tar header${this.current ? ` after ${this.current}` : ''} fails its checksum.`,
      );
    const size = h[124]! & 0x80 ? base256(h, 124, 12) : octal(h, 124, 12);
    const type = String.fromCharCode(h[156]!);
    // NOTE: only POSIX ustar ('ustar\0') has a name prefix at 345; old GNU tar ('ustar  ') keeps times there.
    const posix = text(h, 257, 6) === 'ustar' && h[262] === 0;
    const prefix = posix ? text(h, 345, 155) : '';
    let name = this.nextName ?? (prefix ? `${prefix}/${text(h, 0, 100)}` : text(h, 0, 100));
    this.nextName = undefined;
    this.dataLeft = size;
    this.padLeft = (BLOCK - (size % BLOCK)) % BLOCK;
    if (type === 'x' || type === 'L') {
      this.meta = { type, bytes: new Uint8Array(size), filled: 0 };
      if (size === 0) this.endEntry();
      return;
    }
    name = name.replace(/^\.\//, '');
    this.current = name;
    const regular = type === '0' || type === '\0' || type === '7';
    this.sink = regular ? this.handler({ name, size }) : undefined;
    if (size === 0) this.endEntry();
  }

  private endEntry(): void {
    if (this.meta) {
      const { type, bytes } = this.meta;
      this.meta = undefined;
      this.nextName = type === 'L' ? text(bytes, 0, bytes.length) : (paxPath(bytes) ?? this.nextName);
      return;
    }
    const sink = this.sink;
    this.sink = undefined;
    sink?.end();
  }
}

function text(bytes: Uint8Array, at: number, length: number): string {
  let end = at;
  while (end < at + length && bytes[end] !== 0) end++;
  return new TextDecoder().decode(bytes.subarray(at, end));
}

function octal(bytes: Uint8Array, at: number, length: number): number {
  const digits = text(bytes, at, length).trim();
  return digits ? Number.parseInt(digits, 8) : 0;
}

/** GNU base-256 size (high bit set): for entries of 8 GB and more. */
function base256(bytes: Uint8Array, at: number, length: number): number {
  let value = bytes[at]! & 0x7f;
  for (let i = 1; i < length; i++) value = value * 256 + bytes[at + i]!;
  return value;
}

/** The `path` of a pax extended header (`<length> path=<value>\n` records). */
function paxPath(bytes: Uint8Array): string | undefined {
  for (const record of new TextDecoder().decode(bytes).split('\n')) {
    const match = /^\d+ path=(.*)$/.exec(record);
    if (match) return match[1];
  }
  return undefined;
}
