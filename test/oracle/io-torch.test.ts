// PyTorch decides: torch 1.13 loads the .pt and .safetensors files we write, and we read the files torch writes.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSafetensors } from '../../engine/io/safetensors/index.ts';
import {
  DTYPES,
  float32Tensor,
  type HostTensor,
  hostTensor,
  int64Tensor,
  isHostTensor,
  type StateDict,
  toNumbers,
} from '../../engine/io/tensor.ts';
import {
  PyFloat,
  type PyKey,
  PyOrderedDict,
  PyTuple,
  type PyValue,
  readCheckpoint,
  writeCheckpoint,
  writeStateDict,
  writeTrainingCheckpoint,
} from '../../engine/io/torch/index.ts';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./io_torch.py', import.meta.url));

interface PyTensor {
  dtype: string;
  shape: number[];
  values: (number | boolean)[];
}
interface PyStateDict {
  keys: string[];
  tensors: Record<string, PyTensor>;
}

let dir = '';

function python(command: 'make' | 'check'): Record<string, unknown> {
  const run = spawnSync(PYTHON, [SCRIPT, command, dir], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`io_torch.py ${command} failed:\n${run.stderr}`);
  return JSON.parse(run.stdout);
}

beforeAll(() => {
  if (!existsSync(PYTHON))
    throw new Error(
      `PyTorch oracle: ${PYTHON} does not exist. Install Debian's python3-torch (apt-get install python3-torch); never pip.`,
    );
  const probe = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  if (probe.status !== 0)
    throw new Error(
      `PyTorch oracle: ${PYTHON} cannot import torch. Install Debian's python3-torch.\n${probe.stderr}`,
    );
  dir = mkdtempSync(join(tmpdir(), 'neurocanvas-io-'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function expectTensor(ours: HostTensor | undefined, theirs: PyTensor, key: string, round = (v: number) => v) {
  expect(ours, key).toBeDefined();
  expect({ key, dtype: ours!.dtype, shape: ours!.shape }).toEqual({
    key,
    dtype: theirs.dtype,
    shape: theirs.shape,
  });
  expect(toNumbers(ours!), key).toEqual(theirs.values.map((v) => round(Number(v))));
}

function expectStateDict(
  ours: StateDict,
  theirs: PyStateDict,
  dtype?: string,
  round?: (v: number) => number,
) {
  expect([...ours.keys()]).toEqual(theirs.keys);
  for (const key of theirs.keys) {
    const expected = theirs.tensors[key]!;
    const converted = dtype && expected.dtype !== 'int64' ? { ...expected, dtype } : expected;
    expectTensor(ours.get(key), converted, key, round);
  }
}

describe('files torch writes, read by NeuroCanvas', () => {
  let expected: Record<string, PyStateDict>;
  const read = (name: string, options = {}) =>
    readCheckpoint(new Uint8Array(readFileSync(join(dir, name))), options);
  beforeAll(() => {
    expected = python('make') as Record<string, PyStateDict>;
  });

  it.each(['model.pt', 'protocol4.pt', 'legacy.pt', 'views.pt'])('reads %s exactly', async (name) => {
    const { stateDict, warnings } = await read(name);
    expectStateDict(stateDict, expected[name]!);
    expect(warnings).toEqual([]);
  });

  it('finds the state_dict under state_dict and under model, keeping the rest', async () => {
    const nested = await read('nested_state_dict.pt');
    expectStateDict(nested.stateDict, expected['nested_state_dict.pt']!);
    expect(nested.extra).toEqual(
      new Map<string, PyValue>([
        ['epoch', 5],
        ['arch', 'net'],
      ]),
    );
    const model = await read('nested_model.pt');
    expectStateDict(model.stateDict, expected['nested_model.pt']!);
    const optimizer = model.extra.get('optimizer') as Map<string, PyValue>;
    const state = (optimizer.get('state') as Map<number, Map<string, PyValue>>).get(0)!;
    expect(toNumbers(state.get('step') as HostTensor)).toEqual([1]);
    expect(model.extra.get('epoch')).toBe(1);
  });

  it.each(['float16', 'bfloat16'])(
    'converts a %s state_dict to float32 exactly, warning per tensor',
    async (dtype) => {
      const { stateDict, warnings } = await read(`${dtype}.pt`);
      expectStateDict(stateDict, expected[`${dtype}.pt`]!, 'float32');
      expect(warnings).toHaveLength(8);
      expect(warnings[0]).toMatch(new RegExp(`\`conv.weight\` was ${dtype}`));
      const kept = await read(`${dtype}.pt`, { keepDtypes: true });
      expectStateDict(kept.stateDict, expected[`${dtype}.pt`]!);
    },
  );

  it('refuses torch.save(model) (a pickled class), naming it and suggesting state_dict', async () => {
    await expect(read('whole_model.pt')).rejects.toThrow(/`__main__\.Net`.*model\.state_dict\(\)/);
  });

  it('rounds a float64 state_dict to float32, warning per tensor', async () => {
    const { stateDict, warnings } = await read('float64.pt');
    expectStateDict(stateDict, expected['float64.pt']!, 'float32', Math.fround);
    expect(warnings.every((w) => /was float64/.test(w))).toBe(true);
  });
});

/** The Net of io_torch.py, with values we choose. */
function netStateDict(): StateDict {
  const ramp = (shape: number[], scale: number, shift = 0) =>
    float32Tensor(
      shape,
      Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => shift + scale * Math.cos(i)),
    );
  return new Map([
    ['conv.weight', ramp([4, 1, 3, 3], 0.3)],
    ['conv.bias', ramp([4], 0.1)],
    ['bn.weight', ramp([4], 0.2, 1)],
    ['bn.bias', ramp([4], 0.1)],
    ['bn.running_mean', ramp([4], 0.05)],
    ['bn.running_var', ramp([4], 0.1, 1)],
    ['bn.num_batches_tracked', int64Tensor([], [40])],
    ['fc.weight', ramp([3, 144], 0.01)],
    ['fc.bias', ramp([3], 0.1)],
  ]);
}

function allDtypes(): StateDict {
  const sd: StateDict = new Map();
  DTYPES.forEach((dtype, i) => {
    const t = hostTensor(dtype, [2, i + 1]);
    for (let j = 0; j < t.data.length; j++)
      if (t.data instanceof BigInt64Array) t.data[j] = BigInt(j * 1_000_000_007 - 3);
      else if (dtype === 'bool') t.data[j] = j % 2;
      else if (dtype === 'float16' || dtype === 'bfloat16')
        t.data[j] = dtype === 'float16' ? 0x3c00 + j : 0x3f80 + j;
      else (t.data as Float32Array)[j] = dtype.startsWith('float') ? j / 3 - 1 : j - 2;
    sd.set(`x.${dtype}`, t);
  });
  return sd;
}

/** How Python should see a value we wrote, in io_torch.py's `python_value` notation. */
function asPython(value: PyValue): unknown {
  if (value === null) return { NoneType: null };
  if (typeof value === 'boolean') return { bool: value };
  if (typeof value === 'bigint') return { int: String(value) };
  if (typeof value === 'number')
    return Number.isSafeInteger(value)
      ? { int: String(value) }
      : { float: Number.isFinite(value) ? value : String(value).replace('Infinity', 'inf') };
  if (typeof value === 'string') return { str: value };
  if (value instanceof PyFloat) return { float: value.value };
  if (value instanceof PyTuple) return { tuple: value.items.map(asPython) };
  if (Array.isArray(value)) return { list: value.map(asPython) };
  if (isHostTensor(value))
    return { tensor: { dtype: value.dtype, shape: value.shape, values: toNumbers(value) } };
  const pairs = (entries: Iterable<[PyValue, PyValue]>) =>
    [...entries].map(([k, v]) => [asPython(k), asPython(v)]);
  if (value instanceof PyOrderedDict) return { OrderedDict: pairs(value.entries) };
  if (value instanceof Map) return { dict: pairs(value) };
  return { dict: pairs(Object.entries(value as Record<string, PyValue>)) };
}

describe('files NeuroCanvas writes, loaded by torch 1.13', () => {
  // biome-ignore lint/suspicious/noExplicitAny: JSON printed by io_torch.py
  let report: Record<string, any>;
  const net = netStateDict();
  const parameters = ['conv.weight', 'conv.bias', 'bn.weight', 'bn.bias', 'fc.weight', 'fc.bias'].map(
    (k) => net.get(k)!,
  );
  const nested = new Map<PyKey, PyValue>([
    ['ints', [0, 255, 256, 65535, 65536, -1, -(2 ** 31), 2 ** 31 - 1, 2 ** 31, 2 ** 40, -(2 ** 40)]],
    ['big', [2n ** 70n, -(2n ** 70n), 2n ** 63n - 1n, -(2n ** 63n), -128n, 127n]],
    ['floats', [0.001, new PyFloat(1), -0.5, 1e300, Number.POSITIVE_INFINITY]],
    ['text', ['', 'ünïcödé ✓ 🚀', 'line\nbreak']],
    ['flags', [true, false, null]],
    ['tuples', new PyTuple([1, new PyTuple([]), new PyTuple([2]), new PyTuple([2, 3, 4, 5])])],
    [
      'ordered',
      new PyOrderedDict(
        new Map([
          ['b', 1],
          ['a', 2],
        ]),
      ),
    ],
    [7, { nested: [float32Tensor([2], [0.5, -1.5])] }],
  ]);
  const settings = { optimizer: 'adam', batch_size: 32, lr: 0.001, augment: false, seed: null };

  beforeAll(() => {
    const write = (name: string, bytes: Uint8Array) => writeFileSync(join(dir, name), bytes);
    write('ours_state_dict.pt', writeStateDict(allDtypes().set('conv.weight', net.get('conv.weight')!)));
    write('ours_net.pt', writeStateDict(net, { archiveName: 'ours_net' }));
    write('ours_dtypes.pt', writeStateDict(allDtypes()));
    write('ours_nested.pt', writeCheckpoint(nested));
    const common = { model: net, epoch: 3, step: 120, settings };
    write(
      'ours_training_adam.pt',
      writeTrainingCheckpoint({
        ...common,
        optimizer: {
          kind: 'adam',
          hyper: { lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false },
          state: parameters.map((p) => ({ step: 120, exp_avg: p, exp_avg_sq: p })),
        },
      }),
    );
    write(
      'ours_training_sgd.pt',
      writeTrainingCheckpoint({
        ...common,
        optimizer: {
          kind: 'sgd',
          hyper: { lr: 0.01, momentum: 0.9, dampening: 0, weight_decay: 0, nesterov: false },
          state: parameters.map((p) => ({ momentum_buffer: p })),
        },
      }),
    );
    write('ours.safetensors', writeSafetensors(allDtypes(), { format: 'pt', source: 'NeuroCanvas ✓' }));
    report = python('check');
  });

  it('loads a state_dict with weights_only=True: same keys, order, shapes, dtypes, values; CRCs valid; aligned', () => {
    const sd = report.state_dict;
    expect(sd.type).toBe('OrderedDict');
    const ours = allDtypes().set('conv.weight', net.get('conv.weight')!);
    expectStateDict(ours, sd);
    expect(sd.zip.crc_ok).toBe(true);
    expect(sd.zip.names).toEqual([
      'archive/data.pkl',
      'archive/byteorder',
      ...[...ours.keys()].map((_, i) => `archive/data/${i}`),
      'archive/version',
    ]);
    for (const offset of Object.values(sd.zip.data_offsets as Record<string, number>))
      expect(offset % 64).toBe(0);
  });

  it('loads into the matching nn.Module with load_state_dict (strict)', () => {
    expect(report.net_output).toHaveLength(3);
    expectStateDict(allDtypes(), report.dtypes);
  });

  it('sees nested values with the Python types we meant', () => {
    expect(report.nested).toEqual(asPython(nested));
  });

  it.each(['adam', 'sgd'] as const)(
    'loads a %s training checkpoint and the optimizer accepts its state',
    (kind) => {
      const t = report[`training_${kind}`];
      expect(t.top_keys).toEqual(['model', 'optimizer', 'epoch', 'step', 'settings']);
      expect([t.epoch, t.step]).toEqual([{ int: '3' }, { int: '120' }]);
      expect(t.settings).toEqual(asPython(settings));
      const group = new Map(
        (t.param_groups.list[0].dict as [{ str: string }, unknown][]).map(([k, v]) => [k.str, v]),
      );
      expect(group.get('params')).toEqual({ list: [0, 1, 2, 3, 4, 5].map((i) => ({ int: String(i) })) });
      const state = Object.values(t.state) as Record<string, { tensor: PyTensor }>[];
      expect(state).toHaveLength(6);
      if (kind === 'adam') {
        expect(group.get('lr')).toEqual({ float: 0.001 });
        expect(group.get('betas')).toEqual({ tuple: [{ float: 0.9 }, { float: 0.999 }] });
        expect(group.get('eps')).toEqual({ float: 1e-8 });
        expect(group.get('weight_decay')).toEqual({ int: '0' });
        expect(group.get('amsgrad')).toEqual({ bool: false });
        state.forEach((s, i) => {
          expect(s.step!.tensor).toEqual({ dtype: 'float32', shape: [], values: [120] });
          expectTensor(parameters[i], s.exp_avg!.tensor, `exp_avg ${i}`);
        });
        expect(t.steps_after).toEqual([121, 121, 121, 121, 121, 121]);
      } else {
        expect(group.get('lr')).toEqual({ float: 0.01 });
        expect(group.get('momentum')).toEqual({ float: 0.9 });
        expect(group.get('nesterov')).toEqual({ bool: false });
        state.forEach((s, i) => {
          expectTensor(parameters[i], s.momentum_buffer!.tensor, `momentum_buffer ${i}`);
        });
      }
    },
  );

  it('writes safetensors a plain parser reads: padded header, contiguous offsets, same tensors and metadata', () => {
    const st = report.safetensors;
    expect(st.padded_with_spaces).toBe(true);
    expect(st.metadata).toEqual({ format: 'pt', source: 'NeuroCanvas ✓' });
    expectStateDict(allDtypes(), st);
  });
});
