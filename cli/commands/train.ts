// `neurocanvas train <graph>`: trains on the built-in digits or any data set, with a live progress line, and
// writes the run folder: checkpoint.pt, model.pt, model.py, metrics.json, metrics.csv, confusion.csv.

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CompileError } from '../../engine/compile/compile.ts';
import { DataError } from '../../engine/data/errors.ts';
import { analyze } from '../../engine/graph/analyze.ts';
import type { Graph } from '../../engine/graph/types.ts';
import { formatLoadReport, loadWeights } from '../../engine/io/load-weights.ts';
import { CheckpointError } from '../../engine/io/torch/errors.ts';
import { readCheckpoint } from '../../engine/io/torch/read.ts';
import { describeAugment, parseAugment } from '../../engine/train/augment-spec.ts';
import {
  decodeTrainingCheckpoint,
  encodeModel,
  encodeTrainingCheckpoint,
  type TrainingSnapshot,
} from '../../engine/train/checkpoint.ts';
import { TrainingControl } from '../../engine/train/control.ts';
import { type DataPath, describeDataPath } from '../../engine/train/data-path.ts';
import { TrainingError } from '../../engine/train/errors.ts';
import { train } from '../../engine/train/loop.ts';
import {
  confusionCsv,
  type EpochMetrics,
  metricsCsv,
  metricsJson,
  type StepMetrics,
} from '../../engine/train/metrics.ts';
import { type RunSettings, runSettings, SettingsError } from '../../engine/train/settings.ts';
import { type ParsedArgs, UsageError } from '../args.ts';
import { openBackend } from '../backend.ts';
import { loadData } from '../data-source.ts';
import { loadProject } from '../load.ts';
import { formatDuration, ProgressLine } from '../progress.ts';

export const TRAIN_USAGE = `usage: neurocanvas train <graph.json> --out DIR [--data PATH] [--epochs N] [--batch B]
  [--optimizer sgd|adam|adamw] [--lr X] [--momentum M] [--weight-decay W] [--seed S] [--validation-split F]
  [--augment flip,rotate=15,...] [--normalize none|dataset|MEAN/STD] [--schedule constant|step[:SIZE[:GAMMA]]|
  cosine[:ETA_MIN]|onecycle[:PCT_START]] [--warmup STEPS[:START_FACTOR]] [--clip MAX_NORM]
  [--early-stop PATIENCE[:MIN_DELTA]] [--target ACCURACY] [--checkpoint-every N] [--init weights.pt]
  [--resume DIR] [--backend auto|gpu|cpu]`;

const RESUMABLE = new Set([
  'epochs',
  'early-stop',
  'target',
  'checkpoint-every',
  'data',
  'backend',
  'out',
  'resume',
]);

function text(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  if (v === true) throw new UsageError(`--${name} needs a value`);
  return v;
}

function num(args: ParsedArgs, name: string): number | undefined {
  const v = text(args, name);
  if (v === undefined) return undefined;
  const n = Number(v.endsWith('%') ? Number(v.slice(0, -1)) / 100 : v);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, not "${v}"`);
  return n;
}

/** `a:b:c` -> numbers, each checked. */
function parts(spec: string, flag: string): number[] {
  return spec.split(':').map((p) => {
    const n = Number(p);
    if (p === '' || !Number.isFinite(n)) throw new UsageError(`--${flag} ${spec}: "${p}" is not a number`);
    return n;
  });
}

/** Every setting the flags give (undefined where they say nothing). */
export function settingsFlags(args: ParsedArgs): Partial<RunSettings> {
  const o: Partial<RunSettings> = {
    epochs: num(args, 'epochs'),
    batch_size: num(args, 'batch'),
    lr: num(args, 'lr'),
    momentum: num(args, 'momentum'),
    weight_decay: num(args, 'weight-decay'),
    seed: num(args, 'seed'),
    validation_split: num(args, 'validation-split'),
    clip_grad_norm: num(args, 'clip'),
    target_accuracy: num(args, 'target'),
    checkpoint_every: num(args, 'checkpoint-every'),
  };
  const optimizer = text(args, 'optimizer');
  if (optimizer !== undefined) o.optimizer = optimizer as RunSettings['optimizer'];
  const augment = text(args, 'augment');
  if (augment !== undefined) o.augment = parseAugment(augment);
  const normalize = text(args, 'normalize');
  if (normalize === 'none') o.normalize = null;
  else if (normalize === 'dataset') o.normalize = 'dataset';
  else if (normalize !== undefined) {
    const [mean, std] = normalize.split('/').map((half) => half.split(',').map(Number));
    if (!mean || !std || [...mean, ...std].some((v) => !Number.isFinite(v)))
      throw new UsageError(
        `--normalize is none, dataset or MEAN/STD (e.g. 0.1307/0.3081), not "${normalize}"`,
      );
    o.normalize = { mean, std };
  }
  const schedule = text(args, 'schedule');
  if (schedule !== undefined) {
    const [kind, ...rest] = schedule.split(':');
    const p = rest.length ? parts(rest.join(':'), 'schedule') : [];
    if (kind === 'constant') o.schedule = { kind };
    else if (kind === 'step') o.schedule = { kind, step_size: p[0] ?? 1, gamma: p[1] ?? 0.1 };
    else if (kind === 'cosine') o.schedule = { kind, eta_min: p[0] ?? 0 };
    else if (kind === 'onecycle')
      o.schedule = { kind, pct_start: p[0] ?? 0.3, div_factor: p[1] ?? 25, final_div_factor: p[2] ?? 1e4 };
    else throw new UsageError(`--schedule is constant, step, cosine or onecycle, not "${kind}"`);
  }
  const warmup = text(args, 'warmup');
  if (warmup !== undefined) {
    const [steps, factor] = parts(warmup, 'warmup');
    o.warmup = { steps: steps!, start_factor: factor ?? 1 / 3 };
  }
  const early = text(args, 'early-stop');
  if (early !== undefined) {
    const [patience, minDelta] = parts(early, 'early-stop');
    o.early_stopping = { patience: patience!, min_delta: minDelta ?? 0 };
  }
  return o;
}

/** The shape the graph's Input gives each sample, or null if it cannot be worked out. */
export function inputShape(graph: Graph): number[] | null {
  const input = graph.nodes.find((n) => n.kind === 'Input');
  const output = input && analyze(graph).nodes.get(input.id)?.output;
  return output ? [...output] : null;
}

function writeAtomic(path: string, data: string | Uint8Array): void {
  writeFileSync(`${path}.partial`, data);
  renameSync(`${path}.partial`, path);
}

/** The steps recorded before a resumed snapshot, from the run folder's metrics.json. */
function earlierSteps(dir: string, upTo: number): StepMetrics[] {
  try {
    const json = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')) as {
      steps?: Record<string, number>[];
    };
    return (json.steps ?? [])
      .filter((s) => s.step! <= upTo)
      .map((s) => ({
        epoch: s.epoch!,
        epochStep: 0,
        stepsPerEpoch: 0,
        step: s.step!,
        totalSteps: 0,
        loss: Number(s.loss),
        accuracy: s.accuracy!,
        lr: s.lr!,
        imagesPerSecond: s.images_per_second!,
        gradNorm: s.grad_norm ?? null,
      }));
  } catch {
    return [];
  }
}

/** The data a run folder was trained on, as its metrics.json recorded it (null: the built-in digits). */
function recordedDataPath(dir: string): string | undefined {
  try {
    const json = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')) as {
      data?: { path: string | null };
    };
    return json.data?.path ?? undefined;
  } catch {
    return undefined;
  }
}

async function writeModelCode(graph: Graph, path: string): Promise<string> {
  const module = '../../engine/io/pytorch-code/index.ts';
  try {
    const { generateModelCode } = (await import(module)) as { generateModelCode(g: Graph): string };
    writeAtomic(path, generateModelCode(graph));
    return '';
  } catch (error) {
    return (error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND'
      ? 'model.py skipped: this build has no PyTorch code export yet'
      : `model.py skipped: ${(error as Error).message}`;
  }
}

/** Runs a command, turning the engine's user-facing errors (bad data, checkpoint, graph, setting) into one line. */
export async function userFacing(run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (error) {
    if (
      error instanceof DataError ||
      error instanceof CheckpointError ||
      error instanceof CompileError ||
      error instanceof SettingsError ||
      error instanceof TrainingError
    )
      throw new UsageError(error.message);
    throw error;
  }
}

export function trainCommand(args: ParsedArgs, out: (line: string) => void): Promise<number> {
  return userFacing(() => trainRun(args, out));
}

async function trainRun(args: ParsedArgs, out: (line: string) => void): Promise<number> {
  const file = args.positionals[0];
  const resumeDir = text(args, 'resume');
  const outDir = text(args, 'out') ?? resumeDir;
  if (!file || !outDir) throw new UsageError(TRAIN_USAGE);
  const project = loadProject(file);
  const graph = project.graph;
  let settings: RunSettings;
  let resume: TrainingSnapshot | undefined;
  const flags = settingsFlags(args);
  if (resumeDir) {
    const extra = [...args.flags.keys()].filter((k) => !RESUMABLE.has(k));
    if (extra.length)
      throw new UsageError(`--resume continues the run as it was; it cannot change --${extra.join(', --')}`);
    const path = join(resumeDir, 'checkpoint.pt');
    if (!existsSync(path))
      throw new UsageError(`--resume ${resumeDir}: there is no checkpoint.pt in that folder`);
    resume = await decodeTrainingCheckpoint(new Uint8Array(readFileSync(path)));
    settings = runSettings(resume.settings, flags);
  } else settings = runSettings(project.training, flags);
  const dataFile =
    text(args, 'data') ??
    (resumeDir ? recordedDataPath(resumeDir) : undefined) ??
    (project.dataset?.source === 'path' ? resolve(dirname(file), project.dataset.path) : undefined);
  const { dataset, skipped, description } = await loadData(dataFile, inputShape(graph));
  for (const s of skipped.slice(0, 5)) out(`note: ${s.message}`);
  let initialWeights: Map<string, Float32Array | BigInt64Array> | undefined;
  const init = text(args, 'init');
  if (init && !resume) {
    const { stateDict } = await readCheckpoint(new Uint8Array(readFileSync(init)));
    const loaded = loadWeights(graph, stateDict, { strict: true });
    if (!loaded.ok) throw new UsageError(`--init ${init}: ${formatLoadReport(loaded.report)}`);
    initialWeights = new Map([...loaded.loaded].map(([k, t]) => [k, t.data as Float32Array | BigInt64Array]));
  }
  const { backend, description: device, reason, close, threads } = await openBackend(text(args, 'backend'));
  out(reason);
  let dataPath: DataPath | null = null; // where batches and the step guard ran, told by the loop
  mkdirSync(outDir, { recursive: true });

  const terminal = process.stdout.isTTY ? process.stdout : null;
  const progress = new ProgressLine(settings.epochs, out, terminal);
  const steps: StepMetrics[] = resume && resumeDir ? earlierSteps(resumeDir, resume.step) : [];
  const epochs: EpochMetrics[] = resume ? [...resume.history] : [];
  const control = new TrainingControl();
  const onInterrupt = () => {
    progress.clear();
    out(
      'stopping after this step (the checkpoint will resume from there); press Ctrl+C again to quit at once',
    );
    control.stop();
    process.once('SIGINT', () => process.exit(130));
  };
  process.once('SIGINT', onInterrupt);
  const writeMetrics = (stopped: { reason: string; message: string } | null) => {
    const plain = { ...settings, normalize: settings.normalize };
    writeAtomic(
      join(outDir, 'metrics.json'),
      metricsJson({
        settings: plain,
        data: { path: dataFile ? resolve(dataFile) : null, description },
        backend: { name: device, reason, dataPath: dataPath ? describeDataPath(dataPath) : null },
        classes: dataset.classes,
        epochs,
        steps,
        stopped,
      }),
    );
    writeAtomic(join(outDir, 'metrics.csv'), metricsCsv(epochs));
    const confusion = epochs.at(-1)?.confusion;
    if (confusion) writeAtomic(join(outDir, 'confusion.csv'), confusionCsv(confusion, dataset.classes));
  };

  const started = performance.now();
  out(`${resume ? 'resuming' : 'training'} ${project.name} on ${description}`);
  out(
    `${settings.optimizer} lr ${settings.lr}, batch ${settings.batch_size}, ${settings.epochs} epochs, ` +
      `validation split ${settings.validation_split}, seed ${settings.seed}, augment ${describeAugment(settings.augment)}, ${device}` +
      (threads && threads > 1 ? ` (${threads} threads)` : '') +
      (resume ? `; from epoch ${resume.epoch}, step ${resume.step}` : ''),
  );
  try {
    const result = await train({
      backend,
      graph,
      dataset,
      settings,
      resume,
      initialWeights,
      control,
      onDataPath: (path) => {
        dataPath = path;
        if (backend.name !== 'cpu') out(`data path: ${describeDataPath(path)}`);
      },
      onStep: (m) => {
        steps.push(m);
        progress.step(m);
      },
      onEpoch: (m) => {
        epochs.push(m);
        progress.epoch(m);
        writeMetrics(null);
      },
      onCheckpoint: (snap) => {
        writeAtomic(join(outDir, 'checkpoint.pt'), encodeTrainingCheckpoint(snap));
        writeAtomic(join(outDir, 'model.pt'), encodeModel(snap));
      },
    });
    progress.clear();
    settings = result.last.settings;
    writeMetrics({ reason: result.reason, message: result.message });
    const note = await writeModelCode(graph, join(outDir, 'model.py'));
    out(result.message);
    const last = result.epochs.at(-1);
    if (last?.validationAccuracy != null)
      out(
        `holdout accuracy ${(100 * last.validationAccuracy).toFixed(2)}% (${last.validationSamples} images)`,
      );
    if (result.normalize)
      out(
        `inputs were scaled to 0-1 and normalised with mean ${result.normalize.mean.join(',')} std ${result.normalize.std.join(',')}`,
      );
    if (note) out(note);
    out(
      `total time ${formatDuration((performance.now() - started) / 1000)}; wrote ${outDir}: checkpoint.pt, model.pt${note ? '' : ', model.py'}, metrics.json, metrics.csv${last?.confusion ? ', confusion.csv' : ''}`,
    );
    return result.reason === 'nonFinite' ? 1 : 0;
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    close();
  }
}
