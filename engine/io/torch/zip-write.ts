// Writes a stored (uncompressed) zip as torch.save does: CRC-32 on every entry, each entry's data 64-byte aligned.

import { crc32 } from './crc32.ts';
import { CheckpointError } from './errors.ts';

export interface ZipInput {
  name: string;
  data: Uint8Array;
}

/** torch aligns every entry's data so a loader may mmap it (`torch.load(..., mmap=True)`). */
export const ZIP_ALIGNMENT = 64;

const LOCAL_HEADER = 30;
const CENTRAL_HEADER = 46;
const END_RECORD = 22;
const PAD_FIELD_HEADER = 4; // 'F' 'B' + u16 length
const DOS_DATE_1980_01_01 = 0x21;

export function writeZip(entries: readonly ZipInput[]): Uint8Array {
  if (entries.length > 0xffff)
    throw new CheckpointError('cannotWrite', `A checkpoint with ${entries.length} entries needs ZIP64.`);
  const encoder = new TextEncoder();
  const names = entries.map((entry) => encoder.encode(entry.name));
  // First pass: where each entry goes.
  const offsets: number[] = [];
  const pads: number[] = [];
  let cursor = 0;
  entries.forEach((entry, i) => {
    const start = cursor + LOCAL_HEADER + names[i]!.length + PAD_FIELD_HEADER;
    const pad = (ZIP_ALIGNMENT - (start % ZIP_ALIGNMENT)) % ZIP_ALIGNMENT;
    offsets.push(cursor);
    pads.push(pad);
    cursor = start + pad + entry.data.length;
  });
  const centralStart = cursor;
  const centralSize = names.reduce((sum, name) => sum + CENTRAL_HEADER + name.length, 0);
  const total = centralStart + centralSize + END_RECORD;
  // NOTE: every offset in a plain zip is a u32; past 4 GiB the file would need ZIP64 records.
  if (total > 0xffffffff)
    throw new CheckpointError('cannotWrite', 'The checkpoint would be larger than 4 GiB, which needs ZIP64.');

  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  const crcs = entries.map((entry) => crc32(entry.data));
  const utf8Flag = (i: number) => (names[i]!.some((byte) => byte >= 0x80) ? 0x0800 : 0);

  entries.forEach((entry, i) => {
    const name = names[i]!;
    let p = offsets[i]!;
    view.setUint32(p, 0x04034b50, true);
    view.setUint16(p + 4, 10, true); // version needed: 1.0 (stored)
    view.setUint16(p + 6, utf8Flag(i), true);
    view.setUint16(p + 8, 0, true); // method: stored
    view.setUint16(p + 10, 0, true); // time
    view.setUint16(p + 12, DOS_DATE_1980_01_01, true);
    view.setUint32(p + 14, crcs[i]!, true);
    view.setUint32(p + 18, entry.data.length, true);
    view.setUint32(p + 22, entry.data.length, true);
    view.setUint16(p + 26, name.length, true);
    view.setUint16(p + 28, PAD_FIELD_HEADER + pads[i]!, true);
    out.set(name, p + LOCAL_HEADER);
    p += LOCAL_HEADER + name.length;
    out[p] = 0x46; // 'F'
    out[p + 1] = 0x42; // 'B'
    view.setUint16(p + 2, pads[i]!, true);
    out.fill(0x5a, p + 4, p + 4 + pads[i]!); // 'Z'
    out.set(entry.data, p + 4 + pads[i]!);
  });

  let p = centralStart;
  entries.forEach((entry, i) => {
    const name = names[i]!;
    view.setUint32(p, 0x02014b50, true);
    view.setUint16(p + 4, 20, true); // made by: 2.0, MS-DOS attributes
    view.setUint16(p + 6, 10, true);
    view.setUint16(p + 8, utf8Flag(i), true);
    view.setUint16(p + 10, 0, true);
    view.setUint16(p + 12, 0, true);
    view.setUint16(p + 14, DOS_DATE_1980_01_01, true);
    view.setUint32(p + 16, crcs[i]!, true);
    view.setUint32(p + 20, entry.data.length, true);
    view.setUint32(p + 24, entry.data.length, true);
    view.setUint16(p + 28, name.length, true);
    // extra, comment, disk, internal and external attributes stay 0
    view.setUint32(p + 42, offsets[i]!, true);
    out.set(name, p + CENTRAL_HEADER);
    p += CENTRAL_HEADER + name.length;
  });

  view.setUint32(p, 0x06054b50, true);
  view.setUint16(p + 8, entries.length, true);
  view.setUint16(p + 10, entries.length, true);
  view.setUint32(p + 12, centralSize, true);
  view.setUint32(p + 16, centralStart, true);
  return out;
}
