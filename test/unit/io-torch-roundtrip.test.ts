// .pt write then read gives back the same state_dict (keys, order, shapes, dtypes, values) and nested values.

import { describe, expect, it } from 'vitest';
import {
  DTYPES,
  type DType,
  float32Tensor,
  type HostTensor,
  hostTensor,
  int64Tensor,
  isHostTensor,
  type StateDict,
  toNumbers,
} from '../../engine/io/tensor.ts';
import {
  CheckpointError,
  PyFloat,
  PyOrderedDict,
  PyTuple,
  type PyValue,
  readCheckpoint,
  readPickledValue,
  writeCheckpoint,
  writeStateDict,
  writeTrainingCheckpoint,
} from '../../engine/io/torch/index.ts';
import { openZip } from '../../engine/io/torch/zip-read.ts';

function filled(dtype: DType, shape: number[]): HostTensor {
  const t = hostTensor(dtype, shape);
  for (let i = 0; i < t.data.length; i++) {
    if (t.data instanceof BigInt64Array) t.data[i] = BigInt(i * 1_000_003 - 7) * 2n ** 30n;
    else if (dtype === 'bool') t.data[i] = i % 3 === 0 ? 1 : 0;
    else if (dtype === 'float16' || dtype === 'bfloat16') t.data[i] = (0x3c00 + i * 37) & 0xffff;
    else (t.data as Float32Array)[i] = dtype.startsWith('float') ? i / 3 - 2 : (i * 7) % 100;
  }
  return t;
}

function sample(): StateDict {
  const sd: StateDict = new Map();
  DTYPES.forEach((dtype, i) => {
    sd.set(`layer${i}.${dtype}`, filled(dtype, [2, 3, i + 1]));
  });
  sd.set(
    'conv1.weight',
    float32Tensor(
      [6, 1, 5, 5],
      Array.from({ length: 150 }, (_, i) => Math.sin(i)),
    ),
  );
  sd.set('bn1.num_batches_tracked', int64Tensor([], [120]));
  sd.set('scalar', float32Tensor([], [-0.25]));
  sd.set('empty', hostTensor('float32', [0, 4]));
  sd.set('schön.名前', float32Tensor([1], [1]));
  return sd;
}

function expectSameStateDict(actual: StateDict, expected: StateDict) {
  expect([...actual.keys()]).toEqual([...expected.keys()]);
  for (const [key, tensor] of expected) {
    const got = actual.get(key)!;
    expect({ key, dtype: got.dtype, shape: got.shape }).toEqual({
      key,
      dtype: tensor.dtype,
      shape: tensor.shape,
    });
    expect(got.data).toEqual(tensor.data);
  }
}

describe('writeStateDict -> readCheckpoint', () => {
  it('gives back every dtype exactly with keepDtypes', async () => {
    const sd = sample();
    const { stateDict, warnings, extra } = await readCheckpoint(writeStateDict(sd), { keepDtypes: true });
    expectSameStateDict(stateDict, sd);
    expect(warnings).toEqual([]);
    expect(extra.size).toBe(0);
  });

  it('converts float16, bfloat16 and float64 to float32 by default, warning for each', async () => {
    const { stateDict, warnings } = await readCheckpoint(writeStateDict(sample()));
    for (const key of ['layer1.float64', 'layer2.float16', 'layer3.bfloat16']) {
      expect(stateDict.get(key)!.dtype).toBe('float32');
      expect(warnings.some((w) => w.includes(`\`${key}\``))).toBe(true);
    }
    expect(warnings).toHaveLength(3);
    expect(stateDict.get('layer4.int64')!.dtype).toBe('int64');
    expect(toNumbers(stateDict.get('layer2.float16')!).slice(0, 2)).toEqual([1, 1 + 37 / 1024]);
  });

  it('keeps order past the 1000-item SETITEMS batch and names the archive folder', async () => {
    const sd: StateDict = new Map();
    for (let i = 0; i < 1100; i++) sd.set(`blocks.${1099 - i}.bias`, float32Tensor([1], [i]));
    const bytes = writeStateDict(sd, { archiveName: 'resnet18' });
    expect(openZip(bytes).names[0]).toBe('resnet18/data.pkl');
    expectSameStateDict((await readCheckpoint(bytes)).stateDict, sd);
    expect(() => writeStateDict(sd, { archiveName: '../evil' })).toThrow(CheckpointError);
  });

  it('round-trips an empty state_dict', async () => {
    const { stateDict, extra } = await readCheckpoint(writeStateDict(new Map()));
    expect([stateDict.size, extra.size]).toEqual([0, 0]);
  });

  it('writes a tensor used twice (tied weights) as one storage', async () => {
    const shared = float32Tensor([2], [1, 2]);
    const bytes = writeStateDict(
      new Map([
        ['encoder.weight', shared],
        ['decoder.weight', shared],
      ]),
    );
    expect(openZip(bytes).names.filter((n) => n.includes('/data/'))).toEqual(['archive/data/0']);
    const { stateDict } = await readCheckpoint(bytes);
    expect(stateDict.get('decoder.weight')!.data).toEqual(shared.data);
  });
});

describe('writeCheckpoint -> readPickledValue', () => {
  it('round-trips nested Python values', async () => {
    const tensor = float32Tensor([2], [0.5, 1.5]);
    const value = new Map<string | number, PyValue>([
      ['ints', [0, 255, 256, 65535, 65536, -1, -(2 ** 31), 2 ** 31 - 1, 2 ** 31, 2 ** 40, -(2 ** 40)]],
      ['bigints', [2n ** 70n, -(2n ** 70n), 2n ** 63n - 1n]],
      ['floats', [0.001, new PyFloat(1), Number.NEGATIVE_INFINITY, 1e-300]],
      ['text', ['', 'plain', 'ünïcödé ✓ 🚀']],
      ['flags', [true, false, null]],
      ['tuple', new PyTuple([1, new PyTuple([]), new PyTuple([2, 3, 4, 5])])],
      [
        'ordered',
        new PyOrderedDict(
          new Map([
            ['b', 1],
            ['a', 2],
          ]),
        ),
      ],
      [7, { nested: { deeper: [tensor] } }],
    ]);
    const back = (await readPickledValue(writeCheckpoint(value))) as Map<unknown, PyValue>;
    expect(back.get('ints')).toEqual(value.get('ints'));
    expect(back.get('bigints')).toEqual(value.get('bigints'));
    expect(back.get('floats')).toEqual([0.001, 1, Number.NEGATIVE_INFINITY, 1e-300]);
    expect(back.get('text')).toEqual(value.get('text'));
    expect(back.get('flags')).toEqual([true, false, null]);
    expect(back.get('tuple')).toEqual(value.get('tuple'));
    expect([...(back.get('ordered') as Map<string, number>)]).toEqual([
      ['b', 1],
      ['a', 2],
    ]);
    const deeper = ((back.get(7) as Map<string, PyValue>).get('nested') as Map<string, PyValue>).get(
      'deeper',
    );
    expect(deeper).toEqual([tensor]);
  });

  it('refuses values that cannot be written', () => {
    expect(() => writeCheckpoint(new Set([1]))).toThrow(/sets cannot be written/);
    const loop: PyValue[] = [];
    loop.push(loop);
    expect(() => writeCheckpoint(loop)).toThrow(/nested more than 100 levels/);
    const bad = { dtype: 'float32', shape: [3], data: new Float32Array(2) } as HostTensor;
    expect(() => writeStateDict(new Map([['w', bad]]))).toThrow(/needs 3 elements/);
  });
});

describe('writeTrainingCheckpoint', () => {
  it('reads back as a state_dict under model plus optimizer, epoch, step and settings', async () => {
    const weight = float32Tensor([3, 2], [1, 2, 3, 4, 5, 6]);
    const bias = float32Tensor([3], [0, 0, 1]);
    const bytes = writeTrainingCheckpoint({
      model: new Map([
        ['fc.weight', weight],
        ['fc.bias', bias],
      ]),
      optimizer: {
        kind: 'adam',
        hyper: { lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false },
        state: [
          { step: 120, exp_avg: weight, exp_avg_sq: weight },
          { step: 120, exp_avg: bias, exp_avg_sq: bias },
        ],
      },
      epoch: 3,
      step: 120,
      settings: { optimizer: 'adam', batch_size: 32, lr: 0.001 },
    });
    const { stateDict, extra, warnings } = await readCheckpoint(bytes);
    expect([...stateDict.keys()]).toEqual(['fc.weight', 'fc.bias']);
    expect(warnings).toEqual([]);
    expect([...extra.keys()]).toEqual(['optimizer', 'epoch', 'step', 'settings']);
    expect(extra.get('epoch')).toBe(3);
    const optimizer = extra.get('optimizer') as Map<string, PyValue>;
    const state0 = (optimizer.get('state') as Map<number, Map<string, PyValue>>).get(0)!;
    const step = state0.get('step') as HostTensor;
    expect(
      isHostTensor(step) && step.dtype === 'float32' && step.shape.length === 0 && step.data[0] === 120,
    ).toBe(true);
    const group = (optimizer.get('param_groups') as Map<string, PyValue>[])[0]!;
    expect(group.get('params')).toEqual([0, 1]);
    expect(group.get('betas')).toEqual(new PyTuple([0.9, 0.999]));
  });
});
