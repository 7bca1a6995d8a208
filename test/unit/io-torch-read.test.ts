// Reading checkpoints others wrote: views sharing storages, newer rebuild functions, protocol 4, nesting, byte order.

import { describe, expect, it } from 'vitest';
import { readCheckpoint } from '../../engine/io/torch/index.ts';
import { writeZip } from '../../engine/io/torch/zip-write.ts';
import {
  bytesOf,
  dict,
  f32Bytes,
  global,
  int,
  pickle,
  str,
  tensorV2,
  torchZip,
  tuple,
} from '../fixtures/io/torch-bytes.ts';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const values = (t: { data: ArrayLike<number | bigint> } | undefined) => Array.from(t!.data);

describe('views that share one storage', () => {
  it('copies offsets, slices and transposes out of the storage', async () => {
    const bytes = torchZip(
      pickle(
        dict(
          ['whole', tensorV2('FloatStorage', '0', 12, 0, [3, 4], [4, 1])],
          ['row', tensorV2('FloatStorage', '0', 12, 4, [4], [1])],
          ['transposed', tensorV2('FloatStorage', '0', 12, 0, [4, 3], [1, 4])],
          ['column', tensorV2('FloatStorage', '0', 12, 2, [3, 1], [4, 1])],
          ['strided', tensorV2('FloatStorage', '0', 12, 1, [2, 2], [6, 2])],
          ['broadcast', tensorV2('FloatStorage', '0', 12, 5, [2, 3], [0, 0])],
        ),
      ),
      { '0': f32Bytes(range(12)) },
    );
    const { stateDict } = await readCheckpoint(bytes);
    expect(values(stateDict.get('whole'))).toEqual(range(12));
    expect(values(stateDict.get('row'))).toEqual([4, 5, 6, 7]);
    expect(values(stateDict.get('transposed'))).toEqual([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
    expect(stateDict.get('transposed')!.shape).toEqual([4, 3]);
    expect(values(stateDict.get('column'))).toEqual([2, 6, 10]);
    expect(values(stateDict.get('strided'))).toEqual([1, 3, 7, 9]);
    expect(values(stateDict.get('broadcast'))).toEqual([5, 5, 5, 5, 5, 5]);
    // Each view is its own copy: changing one leaves the others alone.
    stateDict.get('row')!.data[0] = 100;
    expect(values(stateDict.get('whole'))[4]).toBe(4);
  });
});

describe('rebuild functions', () => {
  const storage = (key: string, cls: string, numel: number) =>
    [tuple(str('storage'), global('torch', cls), str(key), str('cpu'), int(numel)), 0x51] as const;

  it('reads _rebuild_tensor_v3 (dtype over an untyped storage), _rebuild_parameter and _rebuild_from_type_v2', async () => {
    const v3 = [
      global('torch._utils', '_rebuild_tensor_v3'),
      tuple(
        ...storage('0', 'UntypedStorage', 8),
        int(1),
        tuple(int(1)),
        tuple(int(1)),
        0x89,
        global('collections', 'OrderedDict'),
        0x29,
        0x52,
        global('torch', 'float32'),
      ),
      0x52,
    ];
    const parameter = [
      global('torch._utils', '_rebuild_parameter'),
      tuple(
        tensorV2('FloatStorage', '1', 2, 0, [2], [1]),
        0x88,
        global('collections', 'OrderedDict'),
        0x29,
        0x52,
      ),
      0x52,
    ];
    const fromType = [
      global('torch._tensor', '_rebuild_from_type_v2'),
      tuple(
        global('torch._utils', '_rebuild_tensor_v2'),
        global('torch.nn.parameter', 'Parameter'),
        tuple(...storage('1', 'FloatStorage', 2), int(1), tuple(), tuple(), 0x89, 0x4e),
        0x7d,
      ),
      0x52,
    ];
    const bytes = torchZip(pickle(dict(['v3', v3], ['param', parameter], ['subclass', fromType])), {
      '0': f32Bytes([7, 8]),
      '1': f32Bytes([1.5, 2.5]),
    });
    const { stateDict } = await readCheckpoint(bytes);
    expect(values(stateDict.get('v3'))).toEqual([8]);
    expect(values(stateDict.get('param'))).toEqual([1.5, 2.5]);
    expect(stateDict.get('subclass')!.shape).toEqual([]);
    expect(values(stateDict.get('subclass'))).toEqual([2.5]);
  });

  it('reads protocol 4 (FRAME, SHORT_BINUNICODE, MEMOIZE, STACK_GLOBAL) and BUILD of _metadata', async () => {
    const short = (s: string) => [0x8c, s.length, s];
    const body = bytesOf(
      0x95,
      [9, 0, 0, 0, 0, 0, 0, 0], // FRAME (length not checked against content)
      short('collections'),
      0x94,
      short('OrderedDict'),
      0x94,
      0x93,
      0x94,
      0x29,
      0x52,
      0x94,
      short('w'),
      tensorV2('DoubleStorage', 'k', 1, 0, [], []),
      0x73, // SETITEM
      0x7d,
      short('_metadata'),
      0x7d,
      0x73,
      0x62, // BUILD {'_metadata': {}}
    );
    const bytes = torchZip(bytesOf(0x80, 4, body, 0x2e), {
      k: new Uint8Array(Float64Array.from([0.1]).buffer),
    });
    const { stateDict, warnings } = await readCheckpoint(bytes);
    expect(values(stateDict.get('w'))).toEqual([Math.fround(0.1)]);
    expect(warnings[0]).toMatch(/`w` was float64; converted to float32/);
  });
});

describe('where the state_dict lives', () => {
  const weights = tensorV2('FloatStorage', '0', 2, 0, [2], [1]);
  const data = { '0': f32Bytes([3, 4]) };

  it('finds it under state_dict or model, keeping the rest as extra', async () => {
    for (const key of ['state_dict', 'model']) {
      const bytes = torchZip(
        pickle(dict([key, dict(['fc.bias', weights])], ['epoch', int(12)], ['arch', str('resnet')])),
        data,
      );
      const { stateDict, extra } = await readCheckpoint(bytes);
      expect(values(stateDict.get('fc.bias'))).toEqual([3, 4]);
      expect(extra).toEqual(
        new Map<string, unknown>([
          ['epoch', 12],
          ['arch', 'resnet'],
        ]),
      );
    }
  });

  it('skips non-tensor values with a warning', async () => {
    const bytes = torchZip(pickle(dict(['fc.bias', weights], ['note', str('hi')])), data);
    const { stateDict, warnings, extra } = await readCheckpoint(bytes);
    expect([...stateDict.keys()]).toEqual(['fc.bias']);
    expect(extra.get('note')).toBe('hi');
    expect(warnings[0]).toMatch(/not tensors.*note/);
  });

  it('reads big-endian storages when byteorder says so', async () => {
    const be = new Uint8Array(8);
    new DataView(be.buffer).setFloat32(0, 3, false);
    new DataView(be.buffer).setFloat32(4, 4, false);
    const bytes = torchZip(
      pickle(dict(['b', weights])),
      { '0': be },
      {
        extra: [{ name: 'archive/byteorder', data: new TextEncoder().encode('big') }],
      },
    );
    expect(values((await readCheckpoint(bytes)).stateDict.get('b'))).toEqual([3, 4]);
  });

  it('takes the folder name from the first entry, whatever it is', async () => {
    const bytes = torchZip(pickle(dict(['b', weights])), data, { prefix: 'my_model-v2' });
    expect((await readCheckpoint(bytes)).stateDict.has('b')).toBe(true);
    await expect(readCheckpoint(torchZip(pickle(tuple()), {}))).rejects.toThrow(
      /holds a tuple, not a state_dict/,
    );
    await expect(readCheckpoint(torchZip(pickle(weights), data))).rejects.toThrow(/holds a single tensor/);
    const flat = writeZip([{ name: 'data.pkl', data: pickle(dict()) }]);
    await expect(readCheckpoint(flat)).rejects.toThrow(/not a PyTorch checkpoint/);
  });
});
