// Training in the worker: engine/train's loop on the chosen backend, with steps sent to the UI in small bundles,
// each epoch's metrics and validation gallery, pause/resume/stop, and live weights for the feature maps.

import type { Backend, Executor } from '../../../engine/compile/backend.ts';
import { numel, type Program, type ProgramCore } from '../../../engine/compile/program.ts';
import { splitDataSet } from '../../../engine/data/split.ts';
import type { Graph } from '../../../engine/graph/types.ts';
import type { StateDict } from '../../../engine/io/tensor.ts';
import { decodeTrainingCheckpoint, type TrainingSnapshot } from '../../../engine/train/checkpoint.ts';
import { TrainingControl } from '../../../engine/train/control.ts';
import { train } from '../../../engine/train/loop.ts';
import type { StepMetrics } from '../../../engine/train/metrics.ts';
import type { RunSettings } from '../../../engine/train/settings.ts';
import { readState } from '../../../engine/train/state.ts';
import { buildGallery } from './gallery.ts';
import type { CallContext, Handler } from './host.ts';
import { refreshWatched, traceActivations, traceEvery, watchDue } from './inspect.ts';
import type { TrainPhase } from './protocol.ts';
import type { EngineSession } from './session.ts';

/**
 * Steps are sent at most this often (milliseconds): each bundle re-draws the charts and the progress line, and on a
 * CPU run that drawing shares the cores with the training.
 */
const STEP_INTERVAL = 250;

/** How often a run lets the worker read its messages (Pause, Stop, inspections), in milliseconds. */
const YIELD_EVERY = 40;

/** Resolves on the next macrotask: a message to ourselves, since nested setTimeout(0) waits at least 4 ms. */
function nextTask(): Promise<void> {
  const { port1, port2 } = new MessageChannel();
  return new Promise((resolve) => {
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(null);
  });
}

/** The loop's control with a hook that runs between steps, the only moment the training program may be read. */
class RunControl extends TrainingControl {
  private yielded = performance.now();

  constructor(private readonly between: () => Promise<void>) {
    super();
  }

  override async shouldStop(): Promise<boolean> {
    // NOTE: the CPU backend never waits on anything outside JavaScript, so without this a CPU run would not see
    // a Pause or Stop message until it ended.
    if (performance.now() - this.yielded > YIELD_EVERY) {
      await nextTask();
      this.yielded = performance.now();
    }
    await this.between();
    return super.shouldStop();
  }
}

/** A backend that remembers the training program it bound (the loop binds it first, in 'train' mode). */
function tapped(inner: Backend, seen: (exec: Executor<Program>) => void): Backend {
  return {
    name: inner.name,
    async bind<P extends ProgramCore>(program: P) {
      const exec = await inner.bind(program);
      if ((program as unknown as Program).mode === 'train') seen(exec as unknown as Executor<Program>);
      return exec;
    },
  };
}

async function readGradients(exec: Executor<Program>): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const t of exec.program.tensors)
    if (t.role === 'parameterGradient' && t.key) out.set(t.key, (await exec.read(t.id)) as Float32Array);
  return out;
}

function snapshotWeights(snapshot: TrainingSnapshot): StateDict {
  return new Map(snapshot.model);
}

/**
 * The run a checkpoint continues: its own settings (seed, batch, optimizer, schedule, augmentation...) with the
 * epochs and stop rules asked for now, as `neurocanvas train --resume` allows.
 */
export function resumeSettings(snapshot: TrainingSnapshot, asked: RunSettings): RunSettings {
  const settings: RunSettings = {
    ...snapshot.settings,
    epochs: asked.epochs,
    early_stopping: asked.early_stopping,
    target_accuracy: asked.target_accuracy,
  };
  const finished = snapshot.progress.steps === 0 && snapshot.epoch >= settings.epochs;
  if (finished)
    throw new Error(
      `The checkpoint has already trained ${snapshot.epoch} epoch${snapshot.epoch === 1 ? '' : 's'}: set Epochs above ${snapshot.epoch} to train on from it.`,
    );
  return settings;
}

async function run(
  session: EngineSession,
  graph: Graph,
  asked: RunSettings,
  initial: boolean,
  context: CallContext,
  resume?: TrainingSnapshot,
) {
  const settings = resume ? resumeSettings(resume, asked) : asked;
  const dataset = session.requireData();
  let trainExec: Executor<Program> | null = null;
  /** Values in the trained state (sets how often live views read it back). */
  let parameters = 0;
  let phase: TrainPhase = 'starting';
  let lastStep = 0;
  let pausedAt = -1;
  const setPhase = (next: TrainPhase) => {
    if (next === phase) return;
    phase = next;
    context.emit({ type: 'train.phase', phase });
  };
  const readLive = async () => {
    if (!trainExec) return;
    session.setWeights(await readState(trainExec), 'trained', lastStep);
    session.gradients = await readGradients(trainExec);
  };
  let pending: StepMetrics[] = [];
  let sentAt = 0;
  const sendSteps = () => {
    if (pending.length) context.emit({ type: 'train.steps', steps: pending });
    pending = [];
    sentAt = performance.now();
  };
  let tracedAt = Number.NEGATIVE_INFINITY;
  const control = new RunControl(async () => {
    if (!control.paused && lastStep - tracedAt >= traceEvery(parameters)) {
      tracedAt = lastStep;
      await readLive();
      await traceActivations(session, graph, context.emit);
    }
    if (control.paused) {
      // The steps before the pause reach the UI before it says "paused".
      sendSteps();
      if (pausedAt !== lastStep) {
        pausedAt = lastStep;
        await readLive();
        void refreshWatched(session, context.emit);
      }
      setPhase('paused');
    } else if (!control.paused && watchDue(session, lastStep, parameters)) {
      await readLive();
      void refreshWatched(session, context.emit);
    }
  });
  session.control = control;
  session.seed = settings.seed;
  context.signal.addEventListener('abort', () => control.stop(), { once: true });
  context.emit({ type: 'train.phase', phase });
  if (resume)
    context.emit({
      type: 'train.resumed',
      resumed: {
        epoch: resume.epoch,
        step: resume.step,
        epochStep: resume.progress.steps,
        history: [...resume.history],
        settings,
      },
    });

  const split = splitDataSet(dataset, { holdout: settings.validation_split, seed: settings.seed });
  const initialWeights =
    !resume && !initial && session.weights
      ? new Map([...session.weightsFor(graph)].map(([k, t]) => [k, t.data as Float32Array | BigInt64Array]))
      : undefined;

  try {
    const result = await train({
      backend: tapped(session.backend(), (exec) => {
        trainExec = exec;
        parameters = exec.program.state.reduce((n, e) => n + numel(exec.program.tensors[e.tensor]!.shape), 0);
      }),
      graph,
      dataset,
      settings: { ...settings, checkpoint_every: 1 },
      control,
      ...(resume ? { resume } : {}),
      ...(initialWeights ? { initialWeights } : {}),
      onStep: (metrics) => {
        lastStep = metrics.step;
        if (!control.stopped) setPhase('training');
        pending.push(metrics);
        const last = metrics.epochStep === metrics.stepsPerEpoch;
        if (last || performance.now() - sentAt > STEP_INTERVAL) sendSteps();
        if (last && split.holdout.length) setPhase('validating');
      },
      onEpoch: (metrics) => {
        sendSteps();
        context.emit({ type: 'train.epoch', metrics });
      },
      onCheckpoint: async (snapshot) => {
        // The gradients of the snapshot's last step (the program is still bound here, even at the end).
        if (trainExec && snapshot.step > 0) session.gradients = await readGradients(trainExec);
        trainExec = snapshot.reason === 'epoch' ? trainExec : null;
        session.snapshot = snapshot;
        session.history = [...snapshot.history];
        session.normalize = snapshot.settings.normalize as typeof session.normalize;
        session.setWeights(snapshotWeights(snapshot), 'trained', snapshot.step);
        void refreshWatched(session, context.emit);
        if (snapshot.reason === 'epoch' || snapshot.reason === 'final') {
          const pre = {
            shape: dataset.shape,
            augment: null,
            normalize: session.normalize,
          };
          const gallery = await buildGallery(
            session,
            graph,
            session.weightsFor(graph),
            dataset,
            split.holdout,
            pre,
            snapshot.epoch,
          );
          if (gallery) context.emit({ type: 'train.gallery', gallery });
        }
      },
    });
    sendSteps();
    return { reason: result.reason, message: result.message, epochs: result.epochs, step: result.step };
  } finally {
    session.control = null;
    trainExec = null;
  }
}

export const trainingHandlers: {
  'train.start': Handler<'train.start'>;
  'train.control': Handler<'train.control'>;
} = {
  async 'train.start'({ graph, settings, initial, resume }, context) {
    if (context.session.control) throw new Error('A training run is already going: stop it first.');
    const snapshot = resume ? await decodeTrainingCheckpoint(resume) : undefined;
    return run(context.session, graph, settings, initial, context, snapshot);
  },

  async 'train.control'({ action }, { session, emit }) {
    const control = session.control;
    if (!control) return 'idle';
    // NOTE: a pause takes effect after the step in progress; the 'paused' phase event says when it has.
    if (action === 'pause') control.pause();
    else if (action === 'resume') {
      control.resume();
      emit({ type: 'train.phase', phase: 'training' });
      return 'training';
    } else {
      control.stop();
      emit({ type: 'train.phase', phase: 'stopping' });
      return 'stopping';
    }
    return 'training';
  },
};
