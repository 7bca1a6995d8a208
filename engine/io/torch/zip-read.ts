// Reads a zip archive from memory: central directory, ZIP64 records, stored and deflated entries, CRC checks.

import { crc32 } from './crc32.ts';
import { CheckpointError } from './errors.ts';

export interface ZipEntry {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  /** Where the entry's (possibly compressed) bytes start in the file. */
  dataStart: number;
}

export interface ZipArchive {
  /** Entry names in central-directory order. */
  names: string[];
  entries: Map<string, ZipEntry>;
  /** An entry's bytes, CRC-checked; throws a CheckpointError if it is damaged. */
  read(name: string): Promise<Uint8Array>;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX_COMMENT = 0xffff;
/** A declared size past this is refused before any memory is spent on it. */
const MAX_ENTRY_BYTES = 2 ** 33;
const MAX_INFLATED_BYTES = 2 ** 31 - 1;

export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 3 && bytes[3] === 4;
}

/** Bounds-checked little-endian reads; running off the end means the file was cut short. */
class Reader {
  readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  check(at: number, length: number, what: string): void {
    if (at < 0 || at + length > this.bytes.length)
      throw new CheckpointError(
        'truncated',
        `The file is cut short: its ${what} runs past the end of the file.`,
      );
  }
  u16(at: number, what: string): number {
    this.check(at, 2, what);
    return this.view.getUint16(at, true);
  }
  u32(at: number, what: string): number {
    this.check(at, 4, what);
    return this.view.getUint32(at, true);
  }
  u64(at: number, what: string): number {
    this.check(at, 8, what);
    const value = this.view.getBigUint64(at, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER))
      throw new CheckpointError('badPickle', `The zip ${what} holds an impossible value (${value}).`);
    return Number(value);
  }
}

function findEndRecord(r: Reader): number {
  const last = r.bytes.length - 22;
  const first = Math.max(0, last - MAX_COMMENT);
  for (let at = last; at >= first; at--) if (r.view.getUint32(at, true) === EOCD) return at;
  if (isZip(r.bytes))
    throw new CheckpointError(
      'truncated',
      'The file is cut short: it starts like a zip archive but its directory at the end is missing.',
    );
  throw new CheckpointError('notCheckpoint', 'This is not a zip archive (no zip directory found).');
}

export function openZip(bytes: Uint8Array): ZipArchive {
  const r = new Reader(bytes);
  const end = findEndRecord(r);
  if (r.u16(end + 4, 'end record') !== 0 || r.u16(end + 6, 'end record') !== 0)
    throw new CheckpointError('unsupportedZip', 'The zip archive is split across several disks.');
  let count = r.u16(end + 10, 'end record');
  let centralSize = r.u32(end + 12, 'end record');
  let centralStart = r.u32(end + 16, 'end record');
  if (count === 0xffff || centralSize === 0xffffffff || centralStart === 0xffffffff) {
    // NOTE: ZIP64 keeps the true values in a second end record that a locator just before this one points to.
    const locator = end - 20;
    if (locator < 0 || r.u32(locator, 'ZIP64 locator') !== ZIP64_LOCATOR)
      throw new CheckpointError(
        'truncated',
        'The zip archive says it is ZIP64 but its ZIP64 locator is missing.',
      );
    const record = r.u64(locator + 8, 'ZIP64 locator');
    if (r.u32(record, 'ZIP64 end record') !== ZIP64_EOCD)
      throw new CheckpointError(
        'truncated',
        'The zip archive points at a ZIP64 end record that is not there.',
      );
    count = r.u64(record + 32, 'ZIP64 end record');
    centralSize = r.u64(record + 40, 'ZIP64 end record');
    centralStart = r.u64(record + 48, 'ZIP64 end record');
  }
  r.check(centralStart, centralSize, 'directory');
  if (count > centralSize / 46)
    throw new CheckpointError(
      'badPickle',
      `The zip directory claims ${count} entries but is too small for them.`,
    );

  const decoder = new TextDecoder();
  const names: string[] = [];
  const entries = new Map<string, ZipEntry>();
  let p = centralStart;
  for (let i = 0; i < count; i++) {
    if (r.u32(p, 'directory') !== CENTRAL)
      throw new CheckpointError('truncated', `The zip directory is damaged at entry ${i + 1} of ${count}.`);
    const flags = r.u16(p + 8, 'directory');
    const method = r.u16(p + 10, 'directory');
    const crc = r.u32(p + 16, 'directory');
    let compressedSize = r.u32(p + 20, 'directory');
    let size = r.u32(p + 24, 'directory');
    const nameLength = r.u16(p + 28, 'directory');
    const extraLength = r.u16(p + 30, 'directory');
    const commentLength = r.u16(p + 32, 'directory');
    let localOffset = r.u32(p + 42, 'directory');
    r.check(p + 46, nameLength + extraLength + commentLength, 'directory');
    const name = decoder.decode(bytes.subarray(p + 46, p + 46 + nameLength));
    // ZIP64 extra field (id 1): the 64-bit values, in this order, for each 32-bit field that is 0xffffffff.
    let e = p + 46 + nameLength;
    const extraEnd = e + extraLength;
    while (e + 4 <= extraEnd) {
      const id = r.u16(e, 'directory');
      const length = r.u16(e + 2, 'directory');
      if (id === 1) {
        let q = e + 4;
        const next = (field: string) => {
          if (q + 8 > e + 4 + length)
            throw new CheckpointError('badPickle', `The ZIP64 ${field} of ${name} is missing.`);
          const value = r.u64(q, 'ZIP64 field');
          q += 8;
          return value;
        };
        if (size === 0xffffffff) size = next('size');
        if (compressedSize === 0xffffffff) compressedSize = next('compressed size');
        if (localOffset === 0xffffffff) localOffset = next('offset');
      }
      e += 4 + length;
    }
    if (flags & 1) throw new CheckpointError('unsupportedZip', `Entry ${name} is encrypted.`);
    if (method !== 0 && method !== 8)
      throw new CheckpointError(
        'unsupportedZip',
        `Entry ${name} uses zip compression method ${method}; only stored and deflate are supported.`,
      );
    if (method === 0 && compressedSize !== size)
      throw new CheckpointError('badPickle', `Entry ${name} is stored but its two sizes differ.`);
    if (size > MAX_ENTRY_BYTES)
      throw new CheckpointError('tooLarge', `Entry ${name} claims ${size} bytes, more than can be loaded.`);
    // NOTE: the local header's extra field differs from the central one (torch pads it), so read its length.
    if (r.u32(localOffset, `entry ${name}`) !== LOCAL)
      throw new CheckpointError('truncated', `The zip entry ${name} is not where the directory says it is.`);
    const dataStart = localOffset + 30 + r.u16(localOffset + 26, 'entry') + r.u16(localOffset + 28, 'entry');
    r.check(dataStart, compressedSize, `entry ${name}`);
    if (entries.has(name))
      throw new CheckpointError('badPickle', `The zip archive holds two entries named ${name}.`);
    names.push(name);
    entries.set(name, { name, method, crc, compressedSize, size, dataStart });
    p += 46 + nameLength + extraLength + commentLength;
  }

  const read = async (name: string): Promise<Uint8Array> => {
    const entry = entries.get(name);
    if (!entry) throw new CheckpointError('missingRecord', `The archive has no entry named ${name}.`);
    const raw = bytes.subarray(entry.dataStart, entry.dataStart + entry.compressedSize);
    const data = entry.method === 0 ? raw : await inflate(raw, entry);
    if (crc32(data) !== entry.crc)
      throw new CheckpointError(
        'damaged',
        `The file is damaged: entry ${name} fails its CRC-32 check (the bytes changed after it was written).`,
      );
    return data;
  };
  return { names, entries, read };
}

/** Inflates a deflated entry, refusing to produce more than its declared size (a zip bomb stops there). */
async function inflate(raw: Uint8Array, entry: ZipEntry): Promise<Uint8Array> {
  if (entry.size > MAX_INFLATED_BYTES)
    throw new CheckpointError('tooLarge', `Entry ${entry.name} would decompress to ${entry.size} bytes.`);
  const damaged = () =>
    new CheckpointError(
      'damaged',
      `The file is damaged: entry ${entry.name} does not decompress to its size.`,
    );
  // NOTE: chunks are kept until the end, so a lying size header costs no memory up front.
  const chunks: Uint8Array[] = [];
  let filled = 0;
  const stream = new Blob([raw as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new DecompressionStream('deflate-raw'));
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      filled += value.length;
      if (filled > entry.size) throw damaged();
      chunks.push(value);
    }
  } catch (error) {
    await reader.cancel().catch(() => {});
    if (error instanceof CheckpointError) throw error;
    throw damaged();
  }
  if (filled !== entry.size) throw damaged();
  const out = new Uint8Array(filled);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
