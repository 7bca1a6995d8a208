// Hostile and malformed .pt files: each is refused with a CheckpointError that says what is wrong, never a crash or hang.

import { describe, expect, it } from 'vitest';
import { float32Tensor } from '../../engine/io/tensor.ts';
import { CheckpointError, readCheckpoint, writeStateDict } from '../../engine/io/torch/index.ts';
import { openZip } from '../../engine/io/torch/zip-read.ts';
import { writeZip } from '../../engine/io/torch/zip-write.ts';
import {
  bytesOf,
  dict,
  f32Bytes,
  global,
  int,
  type Part,
  pickle,
  str,
  tensorV2,
  torchZip,
  tuple,
  u32,
} from '../fixtures/io/torch-bytes.ts';

async function refused(bytes: Uint8Array, code: string, message: RegExp): Promise<CheckpointError> {
  const started = performance.now();
  let error: unknown;
  try {
    await readCheckpoint(bytes);
  } catch (e) {
    error = e;
  }
  expect(performance.now() - started).toBeLessThan(2000);
  expect(error).toBeInstanceOf(CheckpointError);
  expect({ code: (error as CheckpointError).code, message: (error as CheckpointError).message }).toEqual({
    code,
    message: expect.stringMatching(message),
  });
  return error as CheckpointError;
}

const zipOf = (value: Part, storages: Record<string, Uint8Array> = {}) => torchZip(pickle(value), storages);
const call = (module: string, name: string, ...args: Part[]): Part => [
  global(module, name),
  tuple(...args),
  0x52,
];

describe('code in the pickle is never run', () => {
  it.each([
    ['posix', 'system'],
    ['os', 'system'],
    ['nt', 'system'],
    ['builtins', 'eval'],
    ['builtins', 'exec'],
    ['subprocess', 'Popen'],
    ['__builtin__', 'getattr'],
  ])('refuses %s.%s and names it', async (module, name) => {
    const error = await refused(
      zipOf(call(module, name, str('touch /tmp/pwned'))),
      'CK006',
      /may be malicious/,
    );
    expect(error.message).toContain(`\`${module}.${name}\``);
  });

  it('refuses a forbidden name reached through STACK_GLOBAL (protocol 4)', async () => {
    const short = (s: string) => [0x8c, s.length, s];
    const body = bytesOf(0x80, 4, short('posix'), short('system'), 0x93, short('id'), 0x85, 0x52, 0x2e);
    await refused(torchZip(body, {}), 'CK006', /`posix\.system`/);
  });

  it('refuses a pickled model class, suggesting state_dict', async () => {
    const model = [global('__main__', 'Net'), 0x29, 0x81]; // NEWOBJ
    await refused(zipOf(model), 'CK006', /`__main__\.Net`.*model\.state_dict\(\)/);
  });

  it('refuses calling an allowed name that is not a function, or a value that is not a name', async () => {
    await refused(zipOf(call('torch', 'FloatStorage', int(3))), 'CK006', /tries to call torch\.FloatStorage/);
    await refused(zipOf([str('os.system'), tuple(), 0x52]), 'CK007', /not a function/);
  });
});

describe('tensors that do not fit their storage', () => {
  it('refuses a storage entry shorter than its declared size', async () => {
    const bytes = zipOf(dict(['w', tensorV2('FloatStorage', '0', 4, 0, [4], [1])]), {
      '0': f32Bytes([1, 2]),
    });
    await refused(bytes, 'CK008', /storage 0 should hold 16 bytes but entry archive\/data\/0 has only 8/);
  });

  it.each([
    ['size past the end', 0, [5], [1]],
    ['stride past the end', 0, [3], [2]],
    ['offset past the end', 3, [2], [1]],
    ['transposed past the end', 0, [2, 3], [1, 2]],
  ])('refuses a view whose %s', async (_, offset, size, stride) => {
    const bytes = zipOf(dict(['w', tensorV2('FloatStorage', '0', 4, offset, size, stride)]), {
      '0': f32Bytes([1, 2, 3, 4]),
    });
    await refused(bytes, 'CK008', /w'\] does not fit its storage.*holds only 4 float32 elements/);
  });

  it('refuses absurd sizes: negative dims, too many elements, too much memory', async () => {
    const data = { '0': f32Bytes([1]) };
    await refused(
      zipOf(dict(['w', tensorV2('FloatStorage', '0', 1, 0, [-1], [1])]), data),
      'CK008',
      /impossible size \(-1\)/,
    );
    await refused(
      zipOf(dict(['w', tensorV2('FloatStorage', '0', 1, 0, [1], [-1])]), data),
      'CK008',
      /impossible stride/,
    );
    await refused(
      zipOf(dict(['w', tensorV2('FloatStorage', '0', 1, -2, [1], [1])]), data),
      'CK008',
      /storage offset/,
    );
    await refused(
      zipOf(dict(['w', tensorV2('FloatStorage', '0', 1, 0, [1, 1], [1])]), data),
      'CK008',
      /2 sizes but 1 strides/,
    );
    await refused(
      zipOf(dict(['w', tensorV2('FloatStorage', '0', 1, 0, [65536, 65536], [0, 0])]), data),
      'CK009',
      /4294967296 elements\); at most 2147483647/,
    );
    await refused(
      zipOf(dict(['w', tensorV2('FloatStorage', '0', 1, 0, [1 << 20, 1 << 10], [0, 0])]), data),
      'CK009',
      /past 2 GiB/,
    );
    const storageClaim = tuple(
      str('storage'),
      global('torch', 'FloatStorage'),
      str('0'),
      str('cpu'),
      int(-5),
    );
    await refused(zipOf(dict(['w', [storageClaim, 0x51]])), 'CK008', /impossible storage length/);
  });
});

describe('tensor kinds NeuroCanvas cannot hold', () => {
  it('says so instead of calling them forbidden code', async () => {
    await refused(
      zipOf(call('torch._utils', '_rebuild_sparse_tensor', int(0))),
      'CK008',
      /_rebuild_sparse_tensor: sparse/,
    );
    await refused(zipOf(tuple(global('torch', 'complex64'))), 'CK008', /torch\.complex64 tensor/);
  });
});

describe('missing parts', () => {
  const w = dict(['w', tensorV2('FloatStorage', '0', 1, 0, [1], [1])]);

  it('names a missing data entry', async () => {
    await refused(zipOf(w), 'CK005', /missing the data of tensor storage 0 \(entry archive\/data\/0\)/);
  });

  it('refuses a file without a version record or data.pkl', async () => {
    await refused(
      torchZip(pickle(w), { '0': f32Bytes([1]) }, { version: null }),
      'CK005',
      /no archive\/version record/,
    );
    const bytes = writeZip([
      { name: 'archive/version', data: new TextEncoder().encode('3\n') },
      { name: 'archive/data/0', data: f32Bytes([1]) },
    ]);
    await refused(bytes, 'CK005', /no archive\/data\.pkl/);
  });

  it('refuses a TorchScript archive with advice', async () => {
    const bytes = torchZip(
      pickle(w),
      {},
      { extra: [{ name: 'archive/constants.pkl', data: pickle(tuple()) }] },
    );
    await refused(bytes, 'CK001', /TorchScript.*model\.state_dict\(\)/);
  });
});

describe('damaged files', () => {
  const good = () => writeStateDict(new Map([['fc.weight', float32Tensor([4], [1, 2, 3, 4])]]));

  it('refuses every truncation', async () => {
    const bytes = good();
    for (const length of [0, 10, 100, bytes.length / 2, bytes.length - 1])
      await expect(readCheckpoint(bytes.subarray(0, length))).rejects.toBeInstanceOf(CheckpointError);
    await refused(bytes.subarray(0, bytes.length - 1), 'CK002', /cut short/);
  });

  it('reports a CRC mismatch in a storage', async () => {
    const bytes = good();
    const entry = openZip(bytes).entries.get('archive/data/0')!;
    bytes[entry.dataStart]! ^= 1;
    await refused(bytes, 'CK003', /archive\/data\/0 fails its CRC-32 check/);
  });

  it('refuses files that are no checkpoint at all', async () => {
    await refused(
      new TextEncoder().encode('{"not": "a checkpoint", "but": "some json text"}'),
      'CK001',
      /not a PyTorch/,
    );
    const safetensors = bytesOf([2, 0, 0, 0, 0, 0, 0, 0], '{}', [0, 0, 0, 0]);
    await refused(safetensors, 'CK001', /safetensors file/);
  });
});

describe('malformed pickles', () => {
  it('names unknown and unsupported opcodes', async () => {
    await refused(torchZip(bytesOf(0x80, 2, 0xff, 0x2e), {}), 'CK007', /unknown pickle instruction 0xff/);
    await refused(torchZip(bytesOf(0x80, 2, 0x82, 1, 0x2e), {}), 'CK007', /instruction EXT1/);
    await refused(torchZip(bytesOf('(i__main__\nNet\n.'), {}), 'CK007', /instruction INST/);
  });

  it('refuses stack underflow, a missing STOP and a string running past the end', async () => {
    await refused(torchZip(bytesOf(0x80, 2, 0x52, 0x2e), {}), 'CK007', /stack underflow/);
    await refused(torchZip(bytesOf(0x80, 2, 0x7d), {}), 'CK002', /cut short/);
    await refused(torchZip(bytesOf(0x80, 2, 0x58, u32(1000), 'abc'), {}), 'CK002', /cut short/);
    await refused(torchZip(bytesOf(0x80, 2, 0x4e, 0x4e, 0x2e), {}), 'CK007', /2 values instead of one/);
    await refused(torchZip(bytesOf(0x80, 2, 0x68, 7, 0x2e), {}), 'CK007', /memo slot 7/);
    await refused(
      torchZip(bytesOf(0x80, 2, 0x8b, u32(5000), new Uint8Array(5000), 0x2e), {}),
      'CK007',
      /integer/,
    );
  });

  it('refuses deep nesting and self-reference', async () => {
    const deep = bytesOf(0x80, 2, new Array(200).fill(0x5d), new Array(199).fill(0x61), 0x2e);
    await refused(torchZip(deep, {}), 'CK010', /nested more than 100 levels/);
    const loop = bytesOf(0x80, 2, 0x7d, 0x71, 0, str('self'), 0x68, 0, 0x73, 0x2e);
    await refused(torchZip(loop, {}), 'CK010', /contains itself/);
  });

  it('does not blow up on a value shared exponentially often, or on a flood of MARKs', async () => {
    // t0 = (1,), t(i+1) = (t(i), t(i)): 2^60 leaves if walked naively.
    const parts: Part[] = [0x80, 2, 0x4b, 1, 0x85, 0x71, 0, 0x30];
    for (let i = 1; i <= 60; i++) parts.push(0x68, i - 1, 0x68, i - 1, 0x86, 0x71, i, 0x30);
    parts.push(0x7d, str('x'), 0x68, 60, 0x73, 0x2e);
    await refused(torchZip(bytesOf(...parts), {}), 'CK011', /holds no tensors.*its keys: x/);
    await refused(torchZip(bytesOf(0x80, 2, new Uint8Array(300_000).fill(0x28)), {}), 'CK002', /cut short/);
  });

  it('refuses a legacy-format file that names forbidden code', async () => {
    const legacy = bytesOf(
      pickle([0x8a, 10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]),
      pickle([0x4d, 0xe9, 0x03]),
      pickle(dict(['little_endian', 0x88])),
      pickle(call('posix', 'system', str('id'))),
    );
    await refused(legacy, 'CK006', /`posix\.system`/);
  });
});

describe('random damage', () => {
  /** A small seeded generator, so a failure can be replayed. */
  function random(seed: number) {
    return () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
  }

  async function outcome(bytes: Uint8Array): Promise<string> {
    try {
      await readCheckpoint(bytes);
      return 'read';
    } catch (error) {
      return error instanceof CheckpointError ? 'refused' : `crashed: ${String(error)}`;
    }
  }

  it('only ever reads or refuses a file with random bytes changed, in the pickle or anywhere', async () => {
    const next = random(7);
    const w = float32Tensor(
      [3, 4],
      Array.from({ length: 12 }, (_, i) => i),
    );
    const good = writeStateDict(
      new Map([
        ['a', w],
        ['b', w],
        ['c', float32Tensor([2], [1, 2])],
      ]),
    );
    const zip = openZip(good);
    const entries = await Promise.all(zip.names.map(async (name) => ({ name, data: await zip.read(name) })));
    const crashes: string[] = [];
    const started = performance.now();
    for (let i = 0; i < 600; i++) {
      let bytes: Uint8Array;
      if (i % 2 === 0) {
        const pickleBytes = entries[0]!.data.slice();
        for (let j = 0; j <= i % 4; j++)
          pickleBytes[Math.floor(next() * pickleBytes.length)] = Math.floor(next() * 256);
        bytes = writeZip([{ name: entries[0]!.name, data: pickleBytes }, ...entries.slice(1)]);
      } else {
        bytes = good.slice();
        for (let j = 0; j <= i % 4; j++) bytes[Math.floor(next() * bytes.length)] = Math.floor(next() * 256);
        if (i % 5 === 0) bytes = bytes.subarray(0, Math.floor(next() * bytes.length));
      }
      const result = await outcome(bytes);
      if (result.startsWith('crashed')) crashes.push(`case ${i}: ${result}`);
    }
    expect(crashes).toEqual([]);
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
