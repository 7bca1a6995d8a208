// The training loop on any backend: epochs of shuffled, augmented batches (the last partial one dropped), LR
// schedule, guarded steps, validation on the holdout in eval mode, stop rules, checkpoints and exact resume.
// It reports through callbacks and never touches files; the CLI and the app decide where things go. On WebGPU
// the batches are prepared on the device and steps are read back every few steps (steppers.ts, data-path.ts).

import type { Backend, Executor } from '../compile/backend.ts';
import { compile } from '../compile/compile.ts';
import type { Program } from '../compile/program.ts';
import { sampleSize } from '../data/dataset.ts';
import { type Split, splitDataSet } from '../data/split.ts';
import type { DataSet } from '../data/types.ts';
import type { Graph } from '../graph/types.ts';
import { batchIndices, type Preprocess, statsOf } from './batches.ts';
import type { EpochProgress, GeneratorState, SnapshotReason, TrainingSnapshot } from './checkpoint.ts';
import type { TrainingControl } from './control.ts';
import { type DataPath, type OnDevice, openDataPath } from './data-path.ts';
import { TrainingError } from './errors.ts';
import { Evaluator } from './evaluation.ts';
import type { EpochMetrics, StepMetrics } from './metrics.ts';
import { createOptimizer, loadOptimizerState, readOptimizerState } from './optimizer-state.ts';
import { Random } from './random.ts';
import { learningRate } from './schedule.ts';
import type { RunSettings } from './settings.ts';
import { initialize, loadState, readState } from './state.ts';
import {
  deviceBatches,
  deviceStepper,
  hostBatches,
  hostStepper,
  type StepOutcome,
  type Stepper,
} from './steppers.ts';
import { nonFiniteMessage, type Stop, stopAfterEpoch } from './stopping.ts';

export interface TrainOptions {
  backend: Backend;
  graph: Graph;
  dataset: DataSet;
  /** With `resume`, the snapshot's settings; only epochs and the stop rules may differ. */
  settings: RunSettings;
  /** Continue a run exactly where a snapshot left it (weights, optimizer, data order, generator, history). */
  resume?: TrainingSnapshot;
  /** Start from these weights (by state_dict key) instead of the default init. */
  initialWeights?: ReadonlyMap<string, Float32Array | Int32Array | BigInt64Array>;
  control?: TrainingControl;
  onStep?: (metrics: StepMetrics) => void;
  onEpoch?: (metrics: EpochMetrics) => void;
  /** Every N epochs, at the end, and when the run stops early, is stopped or meets a non-finite loss. */
  onCheckpoint?: (snapshot: TrainingSnapshot) => void | Promise<void>;
  /** Milliseconds, for images/s (default performance.now). */
  now?: () => number;
  /** What may stay on the device when the backend can (default: batches and steps both). */
  onDevice?: OnDevice;
  /** On the device path, read the steps back at most every this many steps (default 10). */
  readEvery?: number;
  /**
   * On the device path, aim to read back at least this often, in milliseconds (default 250), so a slow device
   * still reports progress; Infinity reads every `readEvery` steps. The run's results never depend on it.
   */
  readIntervalMs?: number;
  /** Told once, before the first step, where batches and the step guard run (and why not on the device). */
  onDataPath?: (path: DataPath) => void;
}

export interface TrainResult extends Stop {
  epochs: EpochMetrics[];
  /** Optimizer steps taken in the run. */
  step: number;
  /** The state the run ended in (also given to onCheckpoint). */
  last: TrainingSnapshot;
  split: Split;
  /** The normalisation used, resolved to numbers. */
  normalize: { mean: number[]; std: number[] } | null;
  /** Where batches and the step guard ran. */
  dataPath: DataPath;
}

const SAME_ON_RESUME = ['seed', 'batch_size', 'validation_split', 'optimizer'] as const;

export async function train(options: TrainOptions): Promise<TrainResult> {
  const { backend, graph, dataset, resume, control } = options;
  const now = options.now ?? (() => performance.now());
  let settings = options.settings;
  if (resume)
    for (const key of SAME_ON_RESUME)
      if (resume.settings[key] !== settings[key])
        throw new TrainingError(
          `cannot resume with ${key} ${settings[key]}: the checkpoint was trained with ${resume.settings[key]}`,
        );
  const data = fingerprint(dataset);
  if (resume?.data && resume.data !== data)
    throw new TrainingError(
      `cannot resume on other data: the checkpoint was trained on ${resume.data}; this data is ${data}`,
    );
  const B = settings.batch_size;
  const split = splitDataSet(dataset, { holdout: settings.validation_split, seed: settings.seed });
  if (split.train.length < B)
    throw new TrainingError(
      `the training part of the data has ${split.train.length} images, fewer than one batch of ${B}; lower the batch size`,
    );
  const wanted = resume ? resume.settings.normalize : settings.normalize;
  const normalize = wanted === 'dataset' ? statsOf(dataset, split.train) : wanted;
  settings = { ...settings, normalize };
  const stepsPerEpoch = Math.floor(split.train.length / B);
  const totalSteps = stepsPerEpoch * settings.epochs;

  const optimizer = createOptimizer(settings);
  const exec = await backend.bind(compile(graph, B, { mode: 'train', optimizer: optimizer.update }));
  // Everything bound from here on is released when the run ends, or throws (a lost device, a bad setting).
  const owned: { dispose(): void }[] = [exec];
  const release = () => {
    for (const resource of owned.reverse()) resource.dispose();
    owned.length = 0;
  };
  try {
    checkData(exec, dataset);
    const root = new Random(settings.seed);
    const shuffle = root.split('shuffle');
    const augment = root.split('augment');
    // Dropout masks: counter-based on the device from (seed, step); the seed is one draw of the run's generator.
    const dropoutSeed = root.split('dropout').uint32();
    const history: EpochMetrics[] = resume ? [...resume.history] : [];
    let step = resume?.step ?? 0;
    let progress: EpochProgress = resume
      ? { ...resume.progress }
      : { steps: 0, lossSum: 0, correct: 0, samples: 0 };
    if (resume) {
      loadState(
        exec,
        new Map([...resume.model].map(([k, t]) => [k, t.data as Float32Array | BigInt64Array])),
      );
      loadOptimizerState(exec, optimizer, resume.optimizer, resume.step);
      shuffle.restore(resume.generator.shuffle);
      augment.restore(resume.generator.augment);
    } else {
      initialize(exec, root);
      if (options.initialWeights) loadState(exec, options.initialWeights);
    }
    const evaluator = split.holdout.length
      ? await Evaluator.create(backend, graph, B, split.holdout.length)
      : null;
    if (evaluator) owned.push(evaluator);
    const pre: Preprocess = { shape: dataset.shape, augment: settings.augment, normalize };
    const { path: dataPath, data: onDevice } = openDataPath(exec, dataset, options.onDevice);
    if (onDevice) {
      owned.push(onDevice);
      await onDevice.prepare({ augment: settings.augment, normalize });
      if (evaluator) await onDevice.prepare({ augment: null, normalize });
    }
    options.onDataPath?.(dataPath);
    const context = {
      exec,
      optimizer,
      clipNorm: settings.clip_grad_norm,
      dropoutSeed,
      batches: onDevice
        ? deviceBatches(dataset, onDevice, { augment: settings.augment, normalize })
        : hostBatches(dataset, pre),
      now,
    };
    const stepper: Stepper =
      dataPath.steps === 'device'
        ? await deviceStepper(context, {
            readEvery: options.readEvery ?? 10,
            intervalMs: options.readIntervalMs ?? 250,
          })
        : hostStepper(context);
    owned.push(stepper);

    const snapshot = async (
      reason: SnapshotReason,
      epoch: number,
      generator: GeneratorState,
    ): Promise<TrainingSnapshot> => {
      const snap: TrainingSnapshot = {
        reason,
        epoch,
        step,
        progress: { ...progress },
        model: await readState(exec),
        // torch's param_groups hold the lr a scheduler last set, so torch resumes at the same rate.
        optimizer: await readOptimizerState(exec, optimizer, { ...settings, lr: optimizer.lr }),
        settings,
        generator,
        history: [...history],
        data,
      };
      await options.onCheckpoint?.(snap);
      return snap;
    };
    const finish = (stop: Stop, last: TrainingSnapshot): TrainResult => {
      release();
      return { ...stop, epochs: history, step, last, split, normalize, dataPath };
    };

    for (let epoch = resume?.epoch ?? 0; epoch < settings.epochs; epoch++) {
      const atStart: GeneratorState = { shuffle: shuffle.state(), augment: augment.state() };
      const order = shuffle.permutation(split.train.length);
      const started = now();
      let trainMs = 0;
      let lr = optimizer.lr;
      /** Counts the outcomes in; on a non-finite one, the run's end (the state is the one before that step). */
      const take = async (outcomes: StepOutcome[]): Promise<TrainResult | null> => {
        for (const o of outcomes) {
          if (!o.finite) {
            const message = nonFiniteMessage(o.loss, o.epoch, o.epochStep, stepsPerEpoch, o.step + 1);
            return finish({ reason: 'nonFinite', message }, await snapshot('nonFinite', epoch, atStart));
          }
          step++;
          progress = {
            steps: progress.steps + 1,
            lossSum: progress.lossSum + o.loss,
            correct: progress.correct + o.correct,
            samples: progress.samples + B,
          };
          trainMs += o.ms;
          lr = o.lr;
          options.onStep?.({
            epoch: o.epoch,
            epochStep: o.epochStep,
            stepsPerEpoch,
            step,
            totalSteps,
            loss: o.loss,
            accuracy: o.correct / B,
            lr: o.lr,
            imagesPerSecond: o.ms > 0 ? (B * 1000) / o.ms : 0,
            gradNorm: o.gradNorm,
          });
        }
        return null;
      };
      for (let b = 0; b < stepsPerEpoch; b++) {
        const key = augment.uint32();
        if (b < progress.steps) continue; // resumed mid-epoch: these were trained before the snapshot
        if (control && (control.paused || control.stopped)) {
          // A paused or stopped run shows (and snapshots) every step it took: read the pending ones first.
          const ended = await take(await stepper.drain());
          if (ended) return ended;
        }
        if (control && (await control.shouldStop())) {
          const ended = await take(await stepper.drain());
          if (ended) return ended;
          const message = `stopped at epoch ${epoch + 1}, step ${b} of ${stepsPerEpoch}; the checkpoint resumes from there`;
          return finish({ reason: 'stopped', message }, await snapshot('stopped', epoch, atStart));
        }
        const at = step + stepper.pending;
        const ended = await take(
          await stepper.step({
            epoch: epoch + 1,
            epochStep: b + 1,
            step: at,
            indices: batchIndices(split.train, order, b, B),
            key,
            lr: learningRate(settings, { step: at, epoch, totalSteps }),
          }),
        );
        if (ended) return ended;
      }
      const ended = await take(await stepper.drain());
      if (ended) return ended;
      const validation = evaluator ? await evaluator.run(exec, dataset, split.holdout, pre, onDevice) : null;
      const ranSteps = progress.steps - (resume && epoch === resume.epoch ? resume.progress.steps : 0);
      const metrics: EpochMetrics = {
        epoch: epoch + 1,
        step,
        lr,
        trainLoss: progress.lossSum / progress.steps,
        trainAccuracy: progress.correct / progress.samples,
        validationLoss: validation?.loss ?? null,
        validationAccuracy: validation?.accuracy ?? null,
        validationSamples: validation?.samples ?? 0,
        confusion: validation?.confusion ?? null,
        seconds: (now() - started) / 1000,
        imagesPerSecond: trainMs > 0 ? (ranSteps * B * 1000) / trainMs : 0,
      };
      history.push(metrics);
      progress = { steps: 0, lossSum: 0, correct: 0, samples: 0 };
      options.onEpoch?.(metrics);
      const stop = stopAfterEpoch(history, settings);
      const last = stop !== null || epoch + 1 === settings.epochs;
      const next: GeneratorState = { shuffle: shuffle.state(), augment: augment.state() };
      if (last) {
        const final = await snapshot('final', epoch + 1, next);
        return finish(stop ?? { reason: 'completed', message: completed(settings.epochs) }, final);
      }
      if ((epoch + 1) % settings.checkpoint_every === 0) await snapshot('epoch', epoch + 1, next);
    }
    // A snapshot of a finished run, resumed without more epochs: nothing to do.
    const done = { shuffle: shuffle.state(), augment: augment.state() };
    return finish(
      { reason: 'completed', message: completed(settings.epochs) },
      await snapshot('final', settings.epochs, done),
    );
  } catch (error) {
    release();
    throw error;
  }
}

const completed = (epochs: number) => `finished ${epochs} epoch${epochs === 1 ? '' : 's'}`;

/** `10000 images 1x28x28, 10 classes (hash 1a2b3c4d)`: FNV-1a over every image and label byte. */
function fingerprint(dataset: DataSet): string {
  let h = 0x811c9dc5;
  for (const byte of dataset.images) h = Math.imul(h ^ byte, 0x01000193);
  for (const label of dataset.labels) h = Math.imul(h ^ label, 0x01000193);
  const hash = (h >>> 0).toString(16).padStart(8, '0');
  return `${dataset.labels.length} images ${dataset.shape.join('x')}, ${dataset.classes.length} classes (hash ${hash})`;
}

/** The data must fit the network: image shape as the Input states it, labels within the Output's classes. */
function checkData(exec: Executor<Program>, dataset: DataSet): void {
  const program = exec.program;
  const input = program.tensors[program.batch]!.shape.slice(1);
  if (input.reduce((a, b) => a * b, 1) !== sampleSize(dataset.shape))
    throw new TrainingError(
      `the data's images are ${dataset.shape.join('x')} but the network's Input takes ${input.join('x')}; resize the data or change the Input`,
    );
  const classes = program.tensors[program.logits]!.shape[1]!;
  let highest = -1;
  for (const label of dataset.labels) if (label > highest) highest = label;
  if (highest >= classes)
    throw new TrainingError(
      `the data has ${Math.max(highest + 1, dataset.classes.length)} classes but the network's Output gives ${classes}; set the Output's num_classes to ${highest + 1}`,
    );
}
