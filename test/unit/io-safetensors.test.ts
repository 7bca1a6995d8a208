// safetensors: write then read is exact; every malformed header is refused with a message naming the problem.

import { describe, expect, it } from 'vitest';
import { readSafetensors, writeSafetensors } from '../../engine/io/safetensors/index.ts';
import { DTYPES, float32Tensor, hostTensor, int64Tensor, type StateDict } from '../../engine/io/tensor.ts';
import { CheckpointError } from '../../engine/io/torch/errors.ts';

function sample(): StateDict {
  const sd: StateDict = new Map();
  DTYPES.forEach((dtype, i) => {
    const t = hostTensor(dtype, [i + 1, 2]);
    for (let j = 0; j < t.data.length; j++)
      if (t.data instanceof BigInt64Array) t.data[j] = BigInt(j) - 3n;
      else (t.data as Uint8Array)[j] = dtype === 'bool' ? j % 2 : j + 1;
    sd.set(`t.${dtype}`, t);
  });
  sd.set('__proto__', float32Tensor([2], [1, 2]));
  sd.set('scalar', int64Tensor([], [9]));
  sd.set('empty', hostTensor('float32', [3, 0]));
  return sd;
}

/** A file with the given header text (padded to 8) and `dataLength` bytes of data. */
function file(header: string | object, dataLength = 0, declared?: number): Uint8Array {
  const text = typeof header === 'string' ? header : JSON.stringify(header);
  const json = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + json.length + dataLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(declared ?? json.length), true);
  out.set(json, 8);
  return out;
}

function refused(bytes: Uint8Array, code: string, message: RegExp) {
  let error: unknown;
  try {
    readSafetensors(bytes);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(CheckpointError);
  expect({ code: (error as CheckpointError).code, message: (error as CheckpointError).message }).toEqual({
    code,
    message: expect.stringMatching(message),
  });
}

const f32 = (offsets: [number, number], shape = [1]) => ({ dtype: 'F32', shape, data_offsets: offsets });

describe('writeSafetensors -> readSafetensors', () => {
  it('gives back keys, order, shapes, dtypes, values and metadata exactly', () => {
    const sd = sample();
    const bytes = writeSafetensors(sd, { format: 'pt', 'made by': 'NeuroCanvas ✓' });
    const { stateDict, metadata, warnings } = readSafetensors(bytes, { keepDtypes: true });
    expect([...stateDict.keys()]).toEqual([...sd.keys()]);
    for (const [key, t] of sd) {
      expect(stateDict.get(key)!.dtype).toBe(t.dtype);
      expect(stateDict.get(key)!.shape).toEqual(t.shape);
      expect(stateDict.get(key)!.data).toEqual(t.data);
    }
    expect(metadata).toEqual(
      new Map([
        ['format', 'pt'],
        ['made by', 'NeuroCanvas ✓'],
      ]),
    );
    expect(warnings).toEqual([]);
  });

  it('pads the header with spaces to a multiple of 8', () => {
    const bytes = writeSafetensors(new Map([['a', float32Tensor([1], [1])]]));
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(header).toMatch(/^\{"a":\{"dtype":"F32","shape":\[1\],"data_offsets":\[0,4\]\}\} *$/);
    expect(bytes.length).toBe(8 + n + 4);
  });

  it('converts float16/bfloat16/float64 to float32 by default, with warnings', () => {
    const { stateDict, warnings } = readSafetensors(writeSafetensors(sample()));
    expect(stateDict.get('t.float16')!.dtype).toBe('float32');
    expect(stateDict.get('t.int64')!.dtype).toBe('int64');
    expect(warnings).toHaveLength(3);
  });

  it('refuses to write non-text metadata or a tensor named __metadata__', () => {
    expect(() => writeSafetensors(new Map(), { n: 1 as unknown as string })).toThrow(/metadata must be text/);
    expect(() => writeSafetensors(new Map([['__metadata__', float32Tensor([1], [1])]]))).toThrow(
      CheckpointError,
    );
  });
});

describe('bad safetensors files', () => {
  it('refuses files and headers that are cut short or oversized', () => {
    refused(new Uint8Array(5), 'CK002', /only 5 bytes/);
    refused(file('{}', 0, 1000), 'CK002', /header runs past the end/);
    refused(file('{}', 0, 200_000_000), 'CK012', /at most 100000000/);
    refused(file({ a: f32([0, 8], [2]) }, 4), 'CK002', /need 8 bytes of data but it has 4/);
  });

  it('refuses headers that are not a JSON object', () => {
    const notUtf8 = file('{}');
    notUtf8[9] = 0xff;
    refused(notUtf8, 'CK012', /not valid UTF-8/);
    refused(file('[1, 2]'), 'CK012', /does not start with "\{"/);
    refused(file('{"a": '), 'CK012', /not valid JSON/);
    refused(file('{"a": 1}'), 'CK012', /entry for a is not an object/);
    refused(file({ __metadata__: { epoch: 3 } }), 'CK012', /metadata "epoch" is not text/);
    refused(file({ __metadata__: [] }), 'CK012', /__metadata__ is not an object/);
  });

  it('refuses bad dtypes, shapes and offsets', () => {
    refused(file({ a: { shape: [1], data_offsets: [0, 4] } }, 4), 'CK012', /a has no dtype/);
    refused(file({ a: { dtype: 'Q7', shape: [1], data_offsets: [0, 4] } }, 4), 'CK012', /unknown dtype "Q7"/);
    refused(
      file({ a: { dtype: 'U32', shape: [1], data_offsets: [0, 4] } }, 4),
      'CK008',
      /U32, a dtype NeuroCanvas cannot hold/,
    );
    refused(file({ a: f32([0, 4], [-1]) }, 4), 'CK012', /shape that is not a list of whole numbers/);
    refused(file({ a: f32([0, 4], [1.5]) }, 4), 'CK012', /shape/);
    refused(file({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }, 4), 'CK012', /begin <= end/);
    refused(file({ a: { dtype: 'F32', shape: [1], data_offsets: [0] } }, 4), 'CK012', /data_offsets/);
    refused(file({ a: f32([0, 8], [1]) }, 8), 'CK012', /needs 4 bytes, but its data_offsets span 8/);
    refused(file({ a: f32([0, 4 * 2 ** 32], [2 ** 16, 2 ** 16]) }, 0), 'CK009', /at most 2147483647/);
  });

  it('refuses gaps, overlaps and trailing bytes', () => {
    refused(file({ a: f32([0, 4]), b: f32([8, 12]) }, 12), 'CK012', /b starts at byte 8.*gap after byte 4/);
    refused(file({ a: f32([0, 8], [2]), b: f32([4, 8]) }, 8), 'CK012', /overlaps/);
    refused(file({ a: f32([4, 8]) }, 8), 'CK012', /gap after byte 0/);
    refused(file({ a: f32([0, 4]) }, 6), 'CK012', /2 bytes of data after its last tensor/);
  });
});

describe('random damage', () => {
  it('only ever reads or refuses a file with random header bytes changed', () => {
    let seed = 11;
    const next = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const good = writeSafetensors(sample(), { a: 'b' });
    const crashes: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const bytes = good.slice();
      for (let j = 0; j <= i % 3; j++) bytes[Math.floor(next() * 200)] = Math.floor(next() * 256);
      try {
        readSafetensors(bytes);
      } catch (error) {
        if (!(error instanceof CheckpointError)) crashes.push(`case ${i}: ${String(error)}`);
      }
    }
    expect(crashes).toEqual([]);
  });
});
