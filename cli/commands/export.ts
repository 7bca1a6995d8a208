// `neurocanvas export <graph> --format pt|safetensors|py|checkpoint|project`: the network's weights (from
// --weights, or the seeded default init) as a state_dict .pt, safetensors or a training checkpoint, its model.py,
// or a PyTorch training project folder.

import { mkdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import {
  EXPORT_EXTENSIONS,
  EXPORT_FORMATS,
  type ExportFormat,
  type ExportInput,
  exportBytes,
  freshOptimizerState,
  pythonClassName,
} from '../../engine/io/export.ts';
import { DEFAULT_TRAINING } from '../../engine/io/project/project.ts';
import { exportPyTorchProject } from '../../engine/io/pytorch-project/index.ts';
import type { PyValue } from '../../engine/io/torch/python-values.ts';
import type { OptimizerState } from '../../engine/io/torch/training-checkpoint.ts';
import { fromPython } from '../../engine/train/checkpoint.ts';
import { optimizerStateFromPython } from '../../engine/train/optimizer-state.ts';
import { runSettings } from '../../engine/train/settings.ts';
import { type ParsedArgs, UsageError } from '../args.ts';
import { loadData } from '../data-source.ts';
import { loadProject } from '../load.ts';
import { type GraphWeights, graphWeights, writeFileAtomic } from '../weights.ts';
import { inputShape, userFacing } from './train.ts';

export const EXPORT_USAGE = `usage: neurocanvas export <graph.json> --format pt|safetensors|py|checkpoint|project [--out PATH]
  [--weights FILE [--non-strict]] [--seed S] [--class NAME] [--data PATH]
    pt           the state_dict (torch.load(path, weights_only=True), then model.load_state_dict)
    safetensors  the same tensors as .safetensors
    py           model.py: the network as a PyTorch nn.Module (class named after the project, or --class)
    checkpoint   {'model', 'optimizer', 'epoch', 'step', 'settings'} (torch.load(path, weights_only=False))
    project      a folder (--out DIR) that trains in PyTorch, on one machine or many with torchrun: model.py,
                 train.py, data.py, settings.json, weights.pt, data.npz (--data, default the built-in MNIST), README.md
  Without --weights the weights are PyTorch's default init from the seeded generator (--seed, default 0).`;

/** A flag's text value; a bare `--flag` without one is a usage error. */
function text(args: ParsedArgs, name: string): string | undefined {
  const value = args.flags.get(name);
  if (value === true) throw new UsageError(`--${name} needs a value\n${EXPORT_USAGE}`);
  return value;
}

export function seedFlag(args: ParsedArgs): number {
  const seed = Number(text(args, 'seed') ?? 0);
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new UsageError('--seed must be a whole number, 0 or more');
  return seed;
}

/** `--non-strict` is a switch; when the parser gave it the next word, that word is a positional. */
export function nonStrictFlag(args: ParsedArgs): boolean {
  const value = args.flags.get('non-strict');
  if (typeof value === 'string') args.positionals.push(value);
  return value !== undefined;
}

export function exportCommand(args: ParsedArgs, out: (line: string) => void): Promise<number> {
  return userFacing(() => exportRun(args, out));
}

async function exportRun(args: ParsedArgs, out: (line: string) => void): Promise<number> {
  const nonStrict = nonStrictFlag(args);
  const file = args.positionals[0];
  const format = text(args, 'format');
  if (!file || !format) throw new UsageError(EXPORT_USAGE);
  if (format === 'project') return projectRun(args, file, nonStrict, out);
  if (!(EXPORT_FORMATS as readonly string[]).includes(format))
    throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')}, not "${format}"`);
  const kind = format as ExportFormat;
  const project = loadProject(file);
  const graph = project.graph;
  const className = text(args, 'class') ?? pythonClassName(project.name);
  const weightsFile = text(args, 'weights');
  const seed = seedFlag(args);
  const path = resolve(
    text(args, 'out') ?? `${basename(file).replace(/\.json$/i, '')}${EXPORT_EXTENSIONS[kind]}`,
  );
  const weights =
    kind === 'py'
      ? { stateDict: new Map(), extra: new Map() }
      : await graphWeights(graph, { file: weightsFile, strict: !nonStrict, seed }, out);
  const training = project.training ?? DEFAULT_TRAINING;
  const resumed =
    kind === 'checkpoint' ? carriedOver(weights, freshOptimizerState(graph, training), !nonStrict, out) : {};
  const bytes = exportBytes(kind, { graph, weights: weights.stateDict, className, training, ...resumed });
  writeFileAtomic(path, bytes);
  const source =
    kind === 'py'
      ? `class ${className}`
      : weightsFile
        ? `weights from ${weightsFile}`
        : `PyTorch's default init, seed ${seed}`;
  out(`wrote ${path} (${formatBytes(bytes.length)}; ${source})`);
  return 0;
}

/** `--format project`: the training project folder, its data embedded (--data, or the built-in MNIST). */
async function projectRun(
  args: ParsedArgs,
  file: string,
  nonStrict: boolean,
  out: (line: string) => void,
): Promise<number> {
  const folder = text(args, 'out');
  if (!folder) throw new UsageError(`--format project needs --out DIR\n${EXPORT_USAGE}`);
  const project = loadProject(file);
  const graph = project.graph;
  const settings = runSettings(project.training);
  const weightsFile = text(args, 'weights');
  const seed = args.flags.has('seed') ? seedFlag(args) : settings.seed;
  const weights = await graphWeights(graph, { file: weightsFile, strict: !nonStrict, seed }, out);
  const { dataset, description } = await loadData(text(args, 'data'), inputShape(graph));
  const files = exportPyTorchProject(graph, {
    weights: weights.stateDict,
    settings: { ...settings, seed },
    dataset,
    projectName: project.name,
    className: text(args, 'class') ?? pythonClassName(project.name),
  });
  const root = resolve(folder);
  for (const f of files) {
    const path = join(root, f.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileAtomic(path, 'text' in f ? f.text : f.bytes);
  }
  const source = weightsFile ? `weights from ${weightsFile}` : `PyTorch's default init, seed ${seed}`;
  out(`wrote ${root}: ${files.map((f) => f.path).join(', ')} (${source}; data: ${description})`);
  out(`train it: cd ${root} && python train.py   (or torchrun --nproc_per_node N train.py)`);
  return 0;
}

/**
 * A training checkpoint given as --weights keeps its epoch and step, and its optimizer state when it was loaded
 * strictly (after a non-strict load some parameters are new, so their optimizer state would not fit).
 */
function carriedOver(
  weights: GraphWeights,
  fresh: OptimizerState,
  strict: boolean,
  out: (line: string) => void,
): Pick<ExportInput, 'optimizer' | 'epoch' | 'step' | 'settings'> {
  const { extra } = weights;
  const settings = fromPython(extra.get('settings') ?? null) as { optimizer?: unknown } | null;
  const kind = settings?.optimizer;
  const numberOf = (v: unknown) => (typeof v === 'number' || typeof v === 'bigint' ? Number(v) : undefined);
  const counters = { epoch: numberOf(extra.get('epoch')), step: numberOf(extra.get('step')) };
  if (!extra.has('optimizer') || (kind !== 'sgd' && kind !== 'adam' && kind !== 'adamw')) return counters;
  try {
    if (!strict) throw new Error('the weights were loaded with --non-strict');
    const optimizer = optimizerStateFromPython(extra.get('optimizer') ?? null, kind);
    if (optimizer.state.length !== fresh.state.length)
      throw new Error(`it has ${optimizer.state.length} parameters, the network ${fresh.state.length}`);
    const saved = extra.get('settings');
    return { ...counters, optimizer, ...(saved instanceof Map ? { settings: pyDict(saved) } : {}) };
  } catch (error) {
    out(
      `note: the optimizer state in --weights was not kept (${(error as Error).message}); the checkpoint starts a fresh one`,
    );
    return counters;
  }
}

function pyDict(map: Map<unknown, PyValue>): Record<string, PyValue> {
  return Object.fromEntries([...map].map(([k, v]) => [String(k), v]));
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
