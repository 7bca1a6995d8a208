// Export without PyTorch: the default init is the training run's, each format reads back with our readers,
// class names from project names, and the export and parity commands' options, errors and atomic writes.

import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../cli/main.ts';
import { writeFileAtomic } from '../../cli/weights.ts';
import { compile } from '../../engine/compile/compile.ts';
import { cpuBackend } from '../../engine/cpu/backend.ts';
import type { Graph } from '../../engine/graph/types.ts';
import { defaultStateDict, exportBytes, pythonClassName } from '../../engine/io/export.ts';
import { DEFAULT_TRAINING, newProject, serializeProject } from '../../engine/io/project/project.ts';
import { readSafetensors } from '../../engine/io/safetensors/index.ts';
import { float32Tensor, type StateDict } from '../../engine/io/tensor.ts';
import { type PyValue, readCheckpoint, writeStateDict } from '../../engine/io/torch/index.ts';
import { Random } from '../../engine/train/random.ts';
import { initialize, readState } from '../../engine/train/state.ts';
import { templateById } from '../../templates/catalog.ts';

const lenet = () => templateById('lenet5')!.build();
const chapter = () => templateById('resnet_chapter')!.build();

async function run(argv: string[]): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const code = await main(argv, (line) => lines.push(line));
  return { code, text: lines.join('\n') };
}

function projectFile(graph: Graph, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'nc-export-'));
  const file = join(dir, 'net.json');
  writeFileSync(file, serializeProject(newProject(name, graph, { training: DEFAULT_TRAINING })));
  return file;
}

describe('defaultStateDict', () => {
  it.each([
    ['lenet5', lenet],
    ['resnet_chapter', chapter],
  ])('%s: the values a training run with the same seed starts from', async (_id, build) => {
    const graph = build();
    const program = compile(graph, 1, { mode: 'eval' });
    const exec = await cpuBackend.bind(program);
    initialize(exec, new Random(5));
    const engine = await readState(exec);
    const ours = defaultStateDict(graph, 5);
    expect([...ours.keys()]).toEqual([...engine.keys()]);
    for (const [key, tensor] of ours) {
      expect(tensor.shape, key).toEqual(engine.get(key)!.shape);
      expect(tensor.dtype, key).toBe(engine.get(key)!.dtype);
      expect(tensor.data, key).toEqual(engine.get(key)!.data);
    }
    expect(defaultStateDict(graph, 6).get([...ours.keys()][0]!)!.data).not.toEqual(
      ours.get([...ours.keys()][0]!)!.data,
    );
  });
});

describe('pythonClassName', () => {
  it.each([
    ['LeNet-5', 'LeNet5'],
    ["The chapter's ResNet (CIFAR-10)", 'TheChaptersResNetCIFAR10'],
    ['my net v2', 'MyNetV2'],
    ['3 layers', 'Model'],
    ['', 'Model'],
    ['Réseau', 'Reseau'],
    ['Reshape', 'Model'],
  ])('%j -> %s', (name, expected) => expect(pythonClassName(name)).toBe(expected));
});

describe('exportBytes', () => {
  const graph = chapter();
  const weights = defaultStateDict(graph, 0);
  const input = { graph, weights, className: 'Chapter', training: DEFAULT_TRAINING };

  it('pt and safetensors hold the state_dict, in order, exactly', async () => {
    const pt = await readCheckpoint(exportBytes('pt', input), { keepDtypes: true });
    const st = readSafetensors(exportBytes('safetensors', input), { keepDtypes: true });
    for (const read of [pt.stateDict, st.stateDict]) expect(read).toEqual(weights);
    expect(st.metadata.get('format')).toBe('pt');
  });

  it('py is model.py with the class name', () => {
    const text = new TextDecoder().decode(exportBytes('py', input));
    expect(text).toContain('class Chapter(nn.Module):');
  });

  it('checkpoint holds the model, a fresh optimizer for the settings, epoch, step and settings', async () => {
    const { stateDict, extra } = await readCheckpoint(exportBytes('checkpoint', input), { keepDtypes: true });
    expect(stateDict).toEqual(weights);
    expect([...extra.keys()]).toEqual(['optimizer', 'epoch', 'step', 'settings']);
    const optimizer = extra.get('optimizer') as Map<string, PyValue>;
    expect((optimizer.get('state') as Map<unknown, unknown>).size).toBe(0);
    const group = (optimizer.get('param_groups') as Map<string, PyValue>[])[0]!;
    const parameters = [...weights.keys()].filter((k) => !/running_|num_batches/.test(k)).length;
    expect(group.get('params')).toEqual([...Array(parameters).keys()]);
    expect((extra.get('settings') as Map<string, PyValue>).get('optimizer')).toBe('adam');
  });
});

describe('neurocanvas export', () => {
  it('writes each format where --out says, and nothing else in the folder', async () => {
    const file = projectFile(lenet(), 'LeNet-5');
    const dir = mkdtempSync(join(tmpdir(), 'nc-export-out-'));
    for (const [format, name] of [
      ['pt', 'a.pt'],
      ['safetensors', 'a.safetensors'],
      ['py', 'a.py'],
      ['checkpoint', 'c.pt'],
    ]) {
      const result = await run([
        'export',
        file,
        '--format',
        format!,
        '--out',
        join(dir, name!),
        '--seed',
        '3',
      ]);
      expect(result.code, result.text).toBe(0);
      expect(result.text).toContain(`wrote ${join(dir, name!)}`);
    }
    expect(readdirSync(dir).sort()).toEqual(['a.pt', 'a.py', 'a.safetensors', 'c.pt']);
    expect(readFileSync(join(dir, 'a.py'), 'utf8')).toContain('class LeNet5(nn.Module):');
    const { stateDict } = await readCheckpoint(new Uint8Array(readFileSync(join(dir, 'a.pt'))));
    expect(stateDict).toEqual(defaultStateDict(lenet(), 3));
  });

  it('loads --weights strictly, and refuses a file that does not fit unless --non-strict', async () => {
    const graph = lenet();
    const file = projectFile(graph, 'LeNet-5');
    const dir = mkdtempSync(join(tmpdir(), 'nc-export-weights-'));
    const trained: StateDict = defaultStateDict(graph, 9);
    const good = join(dir, 'good.pt');
    writeFileSync(good, writeStateDict(trained));
    expect(
      (await run(['export', file, '--format', 'pt', '--weights', good, '--out', join(dir, 'x.pt')])).code,
    ).toBe(0);
    expect((await readCheckpoint(new Uint8Array(readFileSync(join(dir, 'x.pt'))))).stateDict).toEqual(
      trained,
    );

    const partial = new Map(trained);
    partial.delete('fc3.bias');
    partial.set('fc3.weight', float32Tensor([5, 84], new Float32Array(5 * 84)));
    partial.set('extra.weight', float32Tensor([1], [1]));
    const bad = join(dir, 'bad.pt');
    writeFileSync(bad, writeStateDict(partial));
    const out = join(dir, 'y.pt');
    const refused = await run(['export', file, '--format', 'pt', '--weights', bad, '--out', out]);
    expect(refused.code).toBe(2);
    expect(existsSync(out)).toBe(false);

    const loose = await run([
      'export',
      '--non-strict',
      file,
      '--format',
      'pt',
      '--weights',
      bad,
      '--out',
      out,
    ]);
    expect(loose.code, loose.text).toBe(0);
    expect(loose.text).toContain('fc3.weight: the network needs 10 x 84, the file has 5 x 84');
    expect(loose.text).toContain('fc3.bias');
    expect(loose.text).toContain('extra.weight');
    const written = (await readCheckpoint(new Uint8Array(readFileSync(out)))).stateDict;
    const init = defaultStateDict(graph, 0);
    expect(written.get('fc1.weight')).toEqual(trained.get('fc1.weight')); // loaded
    expect(written.get('fc3.weight')).toEqual(init.get('fc3.weight')); // kept the default init
    expect(written.get('fc3.bias')).toEqual(init.get('fc3.bias'));
  });

  it('a training checkpoint as --weights keeps its optimizer state, epoch and step', async () => {
    const graph = lenet();
    const file = projectFile(graph, 'LeNet-5');
    const dir = mkdtempSync(join(tmpdir(), 'nc-export-ckpt-'));
    const weights = defaultStateDict(graph, 1);
    const state = [...weights].filter(([k]) => k.endsWith('weight') || k.endsWith('bias'));
    const source = join(dir, 'run.pt');
    const optimizer = {
      kind: 'sgd' as const,
      hyper: { lr: 0.1, momentum: 0.9, dampening: 0, weight_decay: 0, nesterov: false },
      state: state.map(([, t]) => ({ momentum_buffer: t })),
    };
    writeFileSync(
      source,
      exportBytes('checkpoint', {
        graph,
        weights,
        className: 'X',
        training: { ...DEFAULT_TRAINING, optimizer: 'sgd', lr: 0.1 },
        optimizer,
        epoch: 4,
        step: 40,
      }),
    );
    const out = join(dir, 'again.pt');
    const result = await run(['export', file, '--format', 'checkpoint', '--weights', source, '--out', out]);
    expect(result.code, result.text).toBe(0);
    const { extra } = await readCheckpoint(new Uint8Array(readFileSync(out)));
    expect([extra.get('epoch'), extra.get('step')]).toEqual([4, 40]);
    const saved = (extra.get('optimizer') as Map<string, PyValue>).get('state') as Map<
      number,
      Map<string, PyValue>
    >;
    expect(saved.size).toBe(state.length);
    expect((extra.get('settings') as Map<string, PyValue>).get('optimizer')).toBe('sgd');
  });

  it('says what is wrong with its arguments', async () => {
    const file = projectFile(lenet(), 'LeNet-5');
    expect((await run(['export', file])).code).toBe(2);
    expect((await run(['export', file, '--format', 'onnx'])).code).toBe(2);
    expect((await run(['export', file, '--format', 'pt', '--seed', '-1'])).code).toBe(2);
    expect((await run(['export', file, '--format', 'pt', '--weights', '/nonexistent.pt'])).code).toBe(2);
  });
});

describe('neurocanvas parity without PyTorch', () => {
  it('says so and exits 2 when no Python with torch is found', async () => {
    const file = projectFile(lenet(), 'LeNet-5');
    const dir = mkdtempSync(join(tmpdir(), 'nc-parity-'));
    const weights = join(dir, 'w.pt');
    writeFileSync(weights, writeStateDict(defaultStateDict(lenet(), 0)));
    const missing = await run(['parity', file, '--weights', weights, '--python', join(dir, 'no-python')]);
    expect(missing.code).toBe(2);
    expect(missing.text).toMatch(/needs PyTorch, and none was found/);
    const fake = join(dir, 'python-without-torch');
    writeFileSync(fake, '#!/bin/sh\necho "cannot import torch: No module named torch" >&2\nexit 3\n');
    chmodSync(fake, 0o755);
    const noTorch = await run(['parity', file, '--weights', weights, '--python', fake]);
    expect(noTorch.code).toBe(2);
    expect(noTorch.text).toContain('No module named torch');
  });

  it('needs --weights', async () => {
    expect((await run(['parity', projectFile(lenet(), 'LeNet-5')])).code).toBe(2);
  });
});

describe('writeFileAtomic', () => {
  it('replaces the file whole and leaves no temporary file, also when writing fails', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nc-atomic-'));
    const path = join(dir, 'model.pt');
    writeFileAtomic(path, 'first');
    writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    expect([...readFileSync(path)]).toEqual([1, 2, 3]);
    expect(readdirSync(dir)).toEqual(['model.pt']);
    expect(() => writeFileAtomic(join(dir, 'missing-folder', 'x.pt'), 'x')).toThrow();
    expect(readdirSync(dir)).toEqual(['model.pt']);
  });
});
