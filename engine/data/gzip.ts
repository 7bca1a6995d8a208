// Streaming gunzip for imports: decompresses chunk by chunk and checks the gzip trailer (CRC-32 and length).

import { Gunzip } from 'fflate';
import { DataError } from './errors.ts';

export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32Update(crc: number, data: Uint8Array): number {
  let c = ~crc;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/**
 * Decompresses a gzip stream. Throws a DataError naming `file` when it is cut short or damaged.
 * NOTE: fflate accepts a stream that stops after the deflate data or inside the header without complaint, so
 * the last 8 bytes (CRC-32 and length of the output) are checked here; a multi-member file skips that check.
 */
export async function* gunzipChunks(
  chunks: AsyncIterable<Uint8Array>,
  file: string,
): AsyncGenerator<Uint8Array> {
  const out: Uint8Array[] = [];
  let members = 0;
  let crc = 0;
  let length = 0;
  const gunzip = new Gunzip((chunk) => {
    out.push(chunk);
    crc = crc32Update(crc, chunk);
    length += chunk.length;
  });
  gunzip.onmember = (offset) => {
    if (offset > 0) members++;
  };
  const tail = new Uint8Array(8);
  let seen = 0;
  const push = (chunk: Uint8Array, final: boolean) => {
    try {
      gunzip.push(chunk, final);
    } catch (error) {
      const code = (error as { code?: number }).code;
      if (code === 0)
        throw new DataError('truncated', file, 'the file is cut short (the compressed data stops early).');
      throw new DataError('damaged', file, 'the file is damaged: its compressed data does not decompress.');
    }
  };
  for await (const chunk of chunks) {
    // Keep the last 8 bytes seen.
    if (chunk.length >= 8) tail.set(chunk.subarray(chunk.length - 8));
    else {
      tail.copyWithin(0, chunk.length);
      tail.set(chunk, 8 - chunk.length);
    }
    seen += chunk.length;
    push(chunk, false);
    yield* out.splice(0);
  }
  push(new Uint8Array(0), true);
  yield* out.splice(0);
  if (members > 0) return;
  const view = new DataView(tail.buffer);
  if (seen < 18 || view.getUint32(4, true) !== length % 2 ** 32)
    throw new DataError('truncated', file, 'the file is cut short (the gzip data is incomplete).');
  if (view.getUint32(0, true) !== crc)
    throw new DataError('damaged', file, 'the file is damaged: its contents fail the gzip CRC-32 check.');
}

/** Passes chunks through, gunzipping them first when the stream starts with the gzip signature. */
export async function* maybeGunzip(
  chunks: AsyncIterable<Uint8Array>,
  file: string,
): AsyncGenerator<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  // NOTE: the signature may straddle chunks, so hold the first ones until two bytes have arrived.
  const head: Uint8Array[] = [];
  let held = 0;
  let ended = false;
  while (held < 2) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    head.push(next.value);
    held += next.value.length;
  }
  async function* all(): AsyncGenerator<Uint8Array> {
    yield* head;
    if (ended) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  const first = head.length === 1 ? head[0]! : Uint8Array.from(head.flatMap((chunk) => [...chunk]));
  if (isGzip(first)) yield* gunzipChunks(all(), file);
  else yield* all();
}

/** Counts bytes as they pass (for progress on the compressed side). */
export async function* countBytes(
  chunks: AsyncIterable<Uint8Array>,
  onBytes: (count: number) => void,
): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) {
    onBytes(chunk.length);
    yield chunk;
  }
}
