// Zip container: what we write is aligned and checksummed; the reader handles deflate and ZIP64 and refuses damage.

import { describe, expect, it } from 'vitest';
import { crc32 } from '../../engine/io/torch/crc32.ts';
import { CheckpointError } from '../../engine/io/torch/errors.ts';
import { openZip } from '../../engine/io/torch/zip-read.ts';
import { writeZip } from '../../engine/io/torch/zip-write.ts';

const text = (s: string) => new TextEncoder().encode(s);

async function deflateRaw(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new CompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

interface RawEntry {
  name: string;
  method: number;
  stored: Uint8Array;
  crc: number;
  size: number;
  flags?: number;
}

/** A zip written field by field (like other tools do), optionally with ZIP64 records for everything. */
function rawZip(entries: RawEntry[], zip64 = false): Uint8Array {
  const parts: number[] = [];
  const u16 = (v: number) => parts.push(v & 0xff, (v >>> 8) & 0xff);
  const u32 = (v: number) => {
    u16(v & 0xffff);
    u16(v >>> 16);
  };
  const u64 = (v: number) => {
    u32(v % 2 ** 32);
    u32(Math.floor(v / 2 ** 32));
  };
  const offsets: number[] = [];
  for (const e of entries) {
    offsets.push(parts.length);
    const name = text(e.name);
    u32(0x04034b50);
    u16(20);
    u16(e.flags ?? 0);
    u16(e.method);
    u16(0);
    u16(0);
    u32(e.crc);
    u32(e.stored.length);
    u32(e.size);
    u16(name.length);
    u16(3); // a 3-byte local extra that the central directory does not have
    parts.push(...name, 1, 2, 3, ...e.stored);
  }
  const central = parts.length;
  entries.forEach((e, i) => {
    const name = text(e.name);
    u32(0x02014b50);
    u16(45);
    u16(45);
    u16(e.flags ?? 0);
    u16(e.method);
    u16(0);
    u16(0);
    u32(e.crc);
    u32(zip64 ? 0xffffffff : e.stored.length);
    u32(zip64 ? 0xffffffff : e.size);
    u16(name.length);
    u16(zip64 ? 28 : 0);
    u16(0);
    u16(0);
    u16(0);
    u32(0);
    u32(zip64 ? 0xffffffff : offsets[i]!);
    parts.push(...name);
    if (zip64) {
      u16(1);
      u16(24);
      u64(e.size);
      u64(e.stored.length);
      u64(offsets[i]!);
    }
  });
  const centralSize = parts.length - central;
  if (zip64) {
    const record = parts.length;
    u32(0x06064b50);
    u64(44);
    u16(45);
    u16(45);
    u32(0);
    u32(0);
    u64(entries.length);
    u64(entries.length);
    u64(centralSize);
    u64(central);
    u32(0x07064b50);
    u32(0);
    u64(record);
    u32(1);
  }
  u32(0x06054b50);
  u16(0);
  u16(0);
  u16(zip64 ? 0xffff : entries.length);
  u16(zip64 ? 0xffff : entries.length);
  u32(zip64 ? 0xffffffff : centralSize);
  u32(zip64 ? 0xffffffff : central);
  u16(0);
  return Uint8Array.from(parts);
}

async function expectProblem(promise: Promise<unknown> | (() => unknown), code: string, message: RegExp) {
  let error: unknown;
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(CheckpointError);
  expect((error as CheckpointError).code).toBe(code);
  expect((error as CheckpointError).message).toMatch(message);
}

describe('crc32', () => {
  it('matches the standard check value', () => {
    expect(crc32(text('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array())).toBe(0);
  });

  it('equals the bit-by-bit definition at every length and alignment, and continues across chunks', () => {
    const bitwise = (bytes: Uint8Array) => {
      let c = 0xffffffff;
      for (const byte of bytes) {
        c ^= byte;
        for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      }
      return (c ^ 0xffffffff) >>> 0;
    };
    const all = Uint8Array.from({ length: 300 }, (_, i) => (i * 193 + 71) & 0xff);
    for (let start = 0; start < 9; start++) {
      for (const length of [0, 1, 7, 8, 9, 15, 16, 17, 64, 255, 291 - start]) {
        const bytes = all.subarray(start, start + length);
        expect(crc32(bytes)).toBe(bitwise(bytes));
      }
    }
    expect(crc32(all.subarray(123), crc32(all.subarray(0, 123)))).toBe(crc32(all));
    // zlib.crc32(bytes(range(256)) * 4) in Python
    const ramp = Uint8Array.from({ length: 1024 }, (_, i) => i & 0xff);
    expect(crc32(ramp)).toBe(0xb70b4c26);
  });
});

describe('writeZip', () => {
  const entries = [
    { name: 'archive/data.pkl', data: text('pickle bytes') },
    { name: 'archive/data/0', data: Uint8Array.from({ length: 100 }, (_, i) => i) },
    { name: 'archive/version', data: text('3\n') },
  ];

  it('round-trips names and bytes, each entry 64-byte aligned', async () => {
    const zip = openZip(writeZip(entries));
    expect(zip.names).toEqual(entries.map((e) => e.name));
    for (const e of entries) {
      expect(await zip.read(e.name)).toEqual(e.data);
      expect(zip.entries.get(e.name)!.dataStart % 64).toBe(0);
      expect(zip.entries.get(e.name)!.crc).toBe(crc32(e.data));
    }
  });

  it('reports a changed byte as a CRC mismatch', async () => {
    const bytes = writeZip(entries);
    const zip = openZip(bytes);
    bytes[zip.entries.get('archive/data/0')!.dataStart + 5]! ^= 0xff;
    await expectProblem(openZip(bytes).read('archive/data/0'), 'CK003', /data\/0 fails its CRC-32 check/);
  });

  it('refuses a file cut short, and one that is no zip at all', async () => {
    const bytes = writeZip(entries);
    for (const length of [bytes.length - 1, bytes.length - 30, 200, 40, 4])
      await expectProblem(() => openZip(bytes.subarray(0, length)), 'CK002', /cut short/);
    await expectProblem(
      () => openZip(text('hello, this is plainly not a zip archive')),
      'CK001',
      /not a zip/,
    );
  });
});

describe('reading zips other tools write', () => {
  it('inflates deflated entries and checks their CRC', async () => {
    const data = text('weights '.repeat(500));
    const stored = await deflateRaw(data);
    const zip = openZip(
      rawZip([{ name: 'p/data.pkl', method: 8, stored, crc: crc32(data), size: data.length }]),
    );
    expect(await zip.read('p/data.pkl')).toEqual(data);
    const lying = openZip(rawZip([{ name: 'p/x', method: 8, stored, crc: crc32(data), size: 100 }]));
    await expectProblem(lying.read('p/x'), 'CK003', /does not decompress to its size/);
    const garbage = openZip(
      rawZip([{ name: 'p/x', method: 8, stored: text('\xff\xfe junk'), crc: 0, size: 10 }]),
    );
    await expectProblem(garbage.read('p/x'), 'CK003', /damaged/);
  });

  it('reads ZIP64 sizes and offsets', async () => {
    const a = text('first entry');
    const b = Uint8Array.from({ length: 300 }, (_, i) => i % 251);
    const zip = openZip(
      rawZip(
        [
          { name: 'p/a', method: 0, stored: a, crc: crc32(a), size: a.length },
          { name: 'p/b', method: 0, stored: b, crc: crc32(b), size: b.length },
        ],
        true,
      ),
    );
    expect(zip.names).toEqual(['p/a', 'p/b']);
    expect(await zip.read('p/b')).toEqual(b);
  });

  it('refuses encryption and unknown compression methods', async () => {
    const a = text('x');
    await expectProblem(
      () => openZip(rawZip([{ name: 'p/a', method: 0, stored: a, crc: crc32(a), size: 1, flags: 1 }])),
      'CK004',
      /encrypted/,
    );
    await expectProblem(
      () => openZip(rawZip([{ name: 'p/a', method: 12, stored: a, crc: crc32(a), size: 1 }])),
      'CK004',
      /method 12/,
    );
  });
});
