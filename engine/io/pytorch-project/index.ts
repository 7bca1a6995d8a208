// exportPyTorchProject: a graph, its weights, training settings and data as a folder that trains in plain PyTorch
// (model.py, train.py, data.py, settings.json, weights.pt, data.npz, requirements.txt, README.md).

import { type Split, splitDataSet } from '../../data/split.ts';
import type { DataSet } from '../../data/types.ts';
import type { Graph } from '../../graph/types.ts';
import { floats } from '../../layers/params.ts';
import { statsOf } from '../../train/batches.ts';
import type { RunSettings } from '../../train/settings.ts';
import { defaultStateDict, pythonClassName } from '../export.ts';
import { generateModelCode } from '../pytorch-code/index.ts';
import type { StateDict } from '../tensor.ts';
import { writeStateDict } from '../torch/write.ts';
import { DATA_PY } from './data-py.ts';
import { int64Array, npzBytes, stringArray, uint8Array } from './npz.ts';
import { readmeText } from './readme.ts';
import { TRAIN_PY } from './train-py.ts';

/** One file of the folder, relative to it; the caller writes it. */
export type ProjectFile = { path: string; text: string } | { path: string; bytes: Uint8Array };

export interface PyTorchProjectInput {
  /** The current weights; default PyTorch's default init from the settings' seed (what a run starts from). */
  weights?: StateDict;
  settings: RunSettings;
  /** Embedded as data.npz with NeuroCanvas's split, or a path train.py reads (an .npz of the same layout). */
  dataset: DataSet | { path: string };
  projectName: string;
  /** The model's class in model.py; default from the project name. */
  className?: string;
}

export const REQUIREMENTS = 'torch\nnumpy\n';

/** settings.json: the run settings plus what train.py needs to know about the model and data. */
export interface ProjectSettings extends Omit<RunSettings, 'normalize'> {
  normalize: RunSettings['normalize'];
  project: string;
  class_name: string;
  label_smoothing: number;
  /** The Output's per-class loss weights, or null when every class weighs 1. */
  class_weights: number[] | null;
  data: string;
  input_shape: number[] | null;
}

/** data.npz: uint8 images N x C x H x W, int64 labels, class names, and the split's two index lists. */
export function dataNpz(dataset: DataSet, split: Split): Uint8Array {
  const n = dataset.labels.length;
  return npzBytes({
    images: uint8Array([n, ...dataset.shape], dataset.images),
    labels: int64Array(dataset.labels),
    classes: stringArray(dataset.classes),
    train_indices: int64Array(split.train),
    holdout_indices: int64Array(split.holdout),
  });
}

function labelSmoothing(graph: Graph): number {
  const output = graph.nodes.find((n) => n.kind === 'Output');
  const value = output?.params.label_smoothing;
  return typeof value === 'number' ? value : 0;
}

function classWeights(graph: Graph): number[] | null {
  const output = graph.nodes.find((n) => n.kind === 'Output');
  return output ? floats(output.params, 'class_weights') : null;
}

export function exportPyTorchProject(graph: Graph, input: PyTorchProjectInput): ProjectFile[] {
  const { settings, dataset } = input;
  if (graph.nodes.filter((n) => n.kind === 'Output').length !== 1)
    throw new Error(
      'A PyTorch project trains a network with exactly one Output; this one has another count.',
    );
  const className = input.className ?? pythonClassName(input.projectName);
  const model = generateModelCode(graph, { className });
  const weights = input.weights ?? defaultStateDict(graph, settings.seed);
  const embedded = !('path' in dataset);
  const files: ProjectFile[] = [];
  let normalize = settings.normalize;
  if (embedded) {
    const split = splitDataSet(dataset, { holdout: settings.validation_split, seed: settings.seed });
    if (normalize === 'dataset') normalize = statsOf(dataset, split.train);
    files.push({ path: 'data.npz', bytes: dataNpz(dataset, split) });
  }
  const inputNode = graph.nodes.find((n) => n.kind === 'Input');
  const shape = inputNode?.params.shape;
  const projectSettings: ProjectSettings = {
    ...settings,
    normalize,
    project: input.projectName,
    class_name: className,
    label_smoothing: labelSmoothing(graph),
    class_weights: classWeights(graph),
    data: embedded ? 'data.npz' : dataset.path,
    input_shape: Array.isArray(shape) ? (shape as number[]) : null,
  };
  files.push(
    { path: 'model.py', text: model },
    { path: 'train.py', text: TRAIN_PY },
    { path: 'data.py', text: DATA_PY },
    { path: 'settings.json', text: `${JSON.stringify(projectSettings, null, 2)}\n` },
    { path: 'weights.pt', bytes: writeStateDict(weights, { archiveName: 'weights' }) },
    { path: 'requirements.txt', text: REQUIREMENTS },
    {
      path: 'README.md',
      text: readmeText({
        projectName: input.projectName,
        className,
        data: projectSettings.data,
        embedded,
        batchSize: settings.batch_size,
        epochs: settings.epochs,
        optimizer: settings.optimizer,
      }),
    },
  );
  return files;
}
