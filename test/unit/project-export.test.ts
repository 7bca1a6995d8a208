// exportPyTorchProject and `neurocanvas export --format project`: the folder's files, data.npz's arrays and split,
// settings.json, weights.pt, and an external data path; no Python needed.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { parseNpy } from '../../engine/data/npy.ts';
import { splitDataSet } from '../../engine/data/split.ts';
import type { DataSet } from '../../engine/data/types.ts';
import { defaultStateDict } from '../../engine/io/export.ts';
import { newProject, serializeProject } from '../../engine/io/project/project.ts';
import {
  exportPyTorchProject,
  type ProjectFile,
  type ProjectSettings,
} from '../../engine/io/pytorch-project/index.ts';
import { stringArray } from '../../engine/io/pytorch-project/npz.ts';
import { readCheckpoint } from '../../engine/io/torch/read.ts';
import { openZip } from '../../engine/io/torch/zip-read.ts';
import { runSettings } from '../../engine/train/settings.ts';
import { templateById } from '../../templates/catalog.ts';

const graph = templateById('lenet5')!.build();
const settings = runSettings(null, { seed: 4, validation_split: 0.2, normalize: 'dataset', batch_size: 8 });
const dataset: DataSet = {
  images: Uint8Array.from({ length: 40 * 784 }, (_, i) => (i * 7) % 256),
  labels: Int32Array.from({ length: 40 }, (_, i) => i % 10),
  shape: [1, 28, 28],
  classes: Array.from({ length: 10 }, (_, i) => (i === 3 ? 'trois é' : `c${i}`)),
  source: { kind: 'builtin', name: 'test', files: [], parts: [] },
};
const folders: string[] = [];
afterAll(() => {
  for (const f of folders) rmSync(f, { recursive: true, force: true });
});

const byPath = (files: ProjectFile[], path: string) => files.find((f) => f.path === path)!;
const textOf = (files: ProjectFile[], path: string) => {
  const f = byPath(files, path);
  return 'text' in f ? f.text : new TextDecoder().decode(f.bytes);
};
const bytesOf = (files: ProjectFile[], path: string) => {
  const f = byPath(files, path);
  return 'bytes' in f ? f.bytes : new TextEncoder().encode(f.text);
};

describe('exportPyTorchProject', () => {
  const files = exportPyTorchProject(graph, { settings, dataset, projectName: 'My LeNet' });

  it('writes the whole folder', () => {
    expect(files.map((f) => f.path).sort()).toEqual(
      [
        'README.md',
        'data.npz',
        'data.py',
        'model.py',
        'requirements.txt',
        'settings.json',
        'train.py',
        'weights.pt',
      ].sort(),
    );
    expect(textOf(files, 'model.py')).toContain('class MyLeNet(nn.Module)');
    expect(textOf(files, 'requirements.txt')).toBe('torch\nnumpy\n');
    const readme = textOf(files, 'README.md');
    for (const words of [
      'torchrun --nproc_per_node',
      '--nnodes',
      '--node_rank',
      '--master_addr',
      'MPS',
      '--resume',
    ])
      expect(readme).toContain(words);
  });

  it('puts the images, labels, class names and NeuroCanvas split in data.npz', async () => {
    const zip = openZip(bytesOf(files, 'data.npz'));
    expect(zip.names).toEqual([
      'images.npy',
      'labels.npy',
      'classes.npy',
      'train_indices.npy',
      'holdout_indices.npy',
    ]);
    const array = async (name: string) => parseNpy(await zip.read(`${name}.npy`), name);
    const images = await array('images');
    expect(images.shape).toEqual([40, 1, 28, 28]);
    expect(images.dtype).toBe('|u1');
    expect(Array.from(images.values)).toEqual(Array.from(dataset.images));
    const labels = await array('labels');
    expect(labels.dtype).toBe('<i8');
    expect(Array.from(labels.values)).toEqual(Array.from(dataset.labels));
    const split = splitDataSet(dataset, { holdout: 0.2, seed: 4 });
    expect(Array.from((await array('train_indices')).values)).toEqual(Array.from(split.train));
    expect(Array.from((await array('holdout_indices')).values)).toEqual(Array.from(split.holdout));
    expect(split.holdout.length).toBe(10);
    const classes = await zip.read('classes.npy');
    expect(new TextDecoder('latin1').decode(classes.subarray(10, 60))).toContain("'descr': '<U7'");
  });

  it('stores class names as fixed-width UTF-32 strings', () => {
    const a = stringArray(['ab', 'é']);
    expect(a.descr).toBe('<U2');
    expect(Array.from(new Uint32Array(a.data.buffer))).toEqual([97, 98, 0xe9, 0]);
  });

  it('writes the settings with dataset normalisation resolved on the training part', () => {
    const s = JSON.parse(textOf(files, 'settings.json')) as ProjectSettings;
    expect(s.class_name).toBe('MyLeNet');
    expect(s.data).toBe('data.npz');
    expect(s.batch_size).toBe(8);
    expect(s.label_smoothing).toBe(0);
    expect(s.input_shape).toEqual([1, 28, 28]);
    const normalize = s.normalize as { mean: number[]; std: number[] };
    expect(normalize.mean).toHaveLength(1);
    expect(normalize.std[0]).toBeGreaterThan(0);
  });

  it('writes the weights given, or the seeded default init', async () => {
    const init = defaultStateDict(graph, 4);
    const { stateDict } = await readCheckpoint(bytesOf(files, 'weights.pt'));
    expect([...stateDict.keys()]).toEqual([...init.keys()]);
    expect(stateDict.get('conv1.weight')!.data).toEqual(init.get('conv1.weight')!.data);
    const other = defaultStateDict(graph, 9);
    const given = exportPyTorchProject(graph, { settings, dataset, projectName: 'x', weights: other });
    const read = await readCheckpoint(bytesOf(given, 'weights.pt'));
    expect(read.stateDict.get('fc3.bias')!.data).toEqual(other.get('fc3.bias')!.data);
  });

  it('points at a data path instead of embedding, leaving dataset normalisation to train.py', () => {
    const external = exportPyTorchProject(graph, {
      settings,
      dataset: { path: '/data/digits.npz' },
      projectName: 'LeNet',
    });
    expect(external.some((f) => f.path === 'data.npz')).toBe(false);
    const s = JSON.parse(textOf(external, 'settings.json')) as ProjectSettings;
    expect(s.data).toBe('/data/digits.npz');
    expect(s.normalize).toBe('dataset');
    expect(textOf(external, 'README.md')).toContain('/data/digits.npz');
  });
});

describe('neurocanvas export --format project', () => {
  const folder = mkdtempSync(join(tmpdir(), 'nc-project-cli-'));
  folders.push(folder);
  const graphFile = join(folder, 'lenet.json');
  writeFileSync(graphFile, serializeProject(newProject('LeNet-5', graph)));

  it('writes the folder with the built-in MNIST embedded', async () => {
    const lines: string[] = [];
    const out = join(folder, 'project');
    const code = await main(['export', graphFile, '--format', 'project', '--out', out], (l) => lines.push(l));
    expect(code, lines.join('\n')).toBe(0);
    for (const f of [
      'model.py',
      'train.py',
      'data.py',
      'settings.json',
      'weights.pt',
      'data.npz',
      'README.md',
    ])
      expect(existsSync(join(out, f)), f).toBe(true);
    expect(lines.join('\n')).toContain('MNIST');
    const s = JSON.parse(readFileSync(join(out, 'settings.json'), 'utf8')) as ProjectSettings;
    expect(s.class_name).toBe('LeNet5');
  }, 60_000);

  it('embeds --data (here a data.npz it wrote before, which the NumPy reader opens)', async () => {
    const npz = join(folder, 'small.npz');
    writeFileSync(
      npz,
      bytesOf(exportPyTorchProject(graph, { settings, dataset, projectName: 'x' }), 'data.npz'),
    );
    const lines: string[] = [];
    const out = join(folder, 'with-data');
    const code = await main(['export', graphFile, '--format', 'project', '--out', out, '--data', npz], (l) =>
      lines.push(l),
    );
    expect(code, lines.join('\n')).toBe(0);
    const zip = openZip(new Uint8Array(readFileSync(join(out, 'data.npz'))));
    const labels = parseNpy(await zip.read('labels.npy'), 'labels');
    expect(Array.from(labels.values)).toEqual(Array.from(dataset.labels));
  }, 60_000);

  it('needs --out', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const code = await main(['export', graphFile, '--format', 'project'], () => {});
    expect(code).not.toBe(0);
    expect(error.mock.calls.flat().join('\n')).toContain('--out DIR');
    error.mockRestore();
  });
});
