// Looking inside the network in the worker: one node's output for one sample, conv kernels, and per layer the
// histograms of weights, gradients and activations plus BatchNorm's running statistics, in eval mode.

import { compile } from '../../../engine/compile/compile.ts';
import { sampleSize } from '../../../engine/data/dataset.ts';
import { analyze } from '../../../engine/graph/analyze.ts';
import { stateDictKeys } from '../../../engine/graph/state-dict.ts';
import type { Graph } from '../../../engine/graph/types.ts';
import { makeBatch } from '../../../engine/train/batches.ts';
import { loadState } from '../../../engine/train/state.ts';
import { runForward } from '../../../engine/train/train-step.ts';
import { topClass } from './gallery.ts';
import type { Handler } from './host.ts';
import type { EngineEvent, Histogram, Inspection, LayerStats, TensorView } from './protocol.ts';
import type { EngineSession } from './session.ts';

const BINS = 30;

export function histogram(values: ArrayLike<number>): Histogram | null {
  if (values.length === 0) return null;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  if (min > max) return null;
  const mean = sum / values.length;
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += (values[i]! - mean) ** 2;
  const counts = new Array<number>(BINS).fill(0);
  const width = max > min ? (max - min) / BINS : 1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) counts[Math.min(BINS - 1, Math.floor((v - min) / width))]!++;
  }
  return { min, max, counts, mean, std: Math.sqrt(squares / values.length) };
}

/** Serialises inspections: one executor serves them all, so two must never interleave. */
let queue: Promise<unknown> = Promise.resolve();

export function inspect(
  session: EngineSession,
  graph: Graph,
  node: string,
  sample: number,
): Promise<Inspection> {
  const next = queue.then(() => inspectNow(session, graph, node, sample));
  queue = next.catch(() => undefined);
  return next;
}

async function inspectNow(
  session: EngineSession,
  graph: Graph,
  node: string,
  sample: number,
): Promise<Inspection> {
  const data = session.requireData();
  const analysis = analyze(graph);
  const input = graph.nodes.find((n) => n.kind === 'Input');
  const inputShape = input ? analysis.nodes.get(input.id)?.output : undefined;
  if (inputShape && inputShape.reduce((a, b) => a * b, 1) !== sampleSize(data.shape))
    throw new Error(
      `The data's images are ${data.shape.join(' x ')} but the Input takes ${inputShape.join(' x ')}: fit one to the other in the Data tab.`,
    );
  const index = Math.min(Math.max(0, Math.floor(sample)), data.labels.length - 1);
  const ids = graph.nodes.map((n) => n.id);
  const { exec, fresh } = await session.program('inspect', graph, (backend) =>
    backend.bind(compile(graph, 1, { mode: 'eval', keep: ids })),
  );
  const weights = session.weightsFor(graph);
  if (fresh) loadState(exec, new Map([...weights].map(([k, t]) => [k, t.data as Float32Array])));
  const program = exec.program;
  const batch = makeBatch(
    data,
    [index],
    { shape: data.shape, augment: null, normalize: session.normalize },
    0,
  );
  exec.write(program.batch, batch.images);
  // NOTE: a label past the Output's classes would index outside the logits; the loss is not shown anyway.
  const classes = program.tensors[program.logits]!.shape[1]!;
  exec.write(
    program.labels,
    batch.labels.map((l) => Math.min(l, classes - 1)),
  );
  runForward(exec, false);
  await exec.flush();

  const logits = await exec.read(program.logits);
  const [predicted, confidence] = topClass(logits, 0, logits.length);
  const outputs = new Map<string, Float32Array>();
  for (const [id, tensor] of program.nodeOutputs) outputs.set(id, (await exec.read(tensor)) as Float32Array);
  const view = (name: string, shape: readonly number[], values: Float32Array): TensorView => ({
    name,
    shape: [...shape],
    data: Float32Array.from(values),
  });

  const keys = stateDictKeys(analysis);
  const entry = (id: string, name: string) => keys.find((k) => k.nodeId === id && k.name === name)?.key;
  const floats = (key: string | undefined) =>
    key ? (weights.get(key)?.data as Float32Array | undefined) : undefined;
  const selected = graph.nodes.find((n) => n.id === node);
  const outTensor = program.nodeOutputs.get(node);
  const outValues = outputs.get(node);
  const kernelKey = selected?.kind === 'Conv2d' ? entry(node, 'weight') : undefined;

  const layers: LayerStats[] = [];
  for (const n of graph.nodes) {
    if (n.kind === 'Input' || n.kind === 'Output') continue;
    const weightKey = entry(n.id, 'weight');
    const activations = outputs.get(n.id);
    const stats: LayerStats = {
      node: n.id,
      kind: n.kind,
      weights: histogram(floats(weightKey) ?? []),
      gradients: weightKey ? histogram(session.gradients?.get(weightKey) ?? []) : null,
      activations: activations ? histogram(activations) : null,
    };
    const mean = floats(entry(n.id, 'running_mean'));
    const variance = floats(entry(n.id, 'running_var'));
    if (mean && variance) {
      stats.runningMean = Array.from(mean);
      stats.runningVar = Array.from(variance);
    }
    if (stats.weights || stats.activations) layers.push(stats);
  }

  const kernels = floats(kernelKey);
  return {
    node,
    sample: index,
    label: batch.labels[0]!,
    predicted,
    confidence,
    output:
      outTensor !== undefined && outValues
        ? view(node, program.tensors[outTensor]!.shape.slice(1), outValues)
        : null,
    kernels: kernels && kernelKey ? view(kernelKey, weights.get(kernelKey)!.shape, kernels) : null,
    layers,
    step: session.step,
    weights: session.weightsKind,
  };
}

/**
 * Steps between two points of the canvas's per-node sparklines: each point reads the weights back and runs one
 * sample forward, so a large network is sampled less often (LeNet-5 every 20 steps, ResNet-18 about every 230).
 */
export function traceEvery(parameters: number): number {
  return Math.max(20, Math.ceil(parameters / 50_000));
}

/** Each layer's activation spread for sample 0 under the session's current weights, for the sparklines. */
export async function traceActivations(
  session: EngineSession,
  graph: Graph,
  emit: (event: EngineEvent) => void,
): Promise<void> {
  const first = graph.nodes.find((n) => n.kind !== 'Input' && n.kind !== 'Output');
  if (!first) return;
  try {
    const seen = await inspect(session, graph, first.id, 0);
    const activations: Record<string, number> = {};
    for (const layer of seen.layers) if (layer.activations) activations[layer.node] = layer.activations.std;
    emit({ type: 'train.trace', step: seen.step, activations });
  } catch {
    // A point missed; the next one may work (the sparklines are a glance, not a record).
  }
}

/** Parameters read back per step of the watch interval: a large network is refreshed less often. */
const VALUES_PER_STEP = 100_000;

/**
 * True when the watched node is due for a refresh at `step`. Each refresh reads every weight and gradient back,
 * so the interval grows with the network: LeNet-5 every 10 steps, ResNet-18 about every 110.
 */
export function watchDue(session: EngineSession, step: number, parameters = 0): boolean {
  const w = session.watch;
  return w !== null && step - w.at >= Math.max(w.every, Math.ceil(parameters / VALUES_PER_STEP));
}

let refreshing = false;
let again = false;

/** Sends the watched node's inspection again (after the weights changed); never two at once. */
export async function refreshWatched(session: EngineSession, emit: (event: EngineEvent) => void) {
  const w = session.watch;
  if (!w) return;
  w.at = session.step;
  if (refreshing) {
    again = true;
    return;
  }
  refreshing = true;
  try {
    do {
      again = false;
      const current = session.watch;
      if (!current) break;
      emit({
        type: 'inspect.update',
        inspection: await inspect(session, current.graph, current.node, current.sample),
      });
    } while (again);
  } catch {
    // The tab shows the last good picture; the next call reports the error.
  } finally {
    refreshing = false;
  }
}

export const inspectHandlers: {
  inspect: Handler<'inspect'>;
  'inspect.unwatch': Handler<'inspect.unwatch'>;
} = {
  async inspect({ graph, node, sample, watch, every }, { session }) {
    session.watch = watch
      ? { graph, node, sample, every: Math.max(1, every), at: Number.NEGATIVE_INFINITY }
      : null;
    const result = await inspect(session, graph, node, sample);
    if (session.watch) session.watch.at = session.control ? Number.NEGATIVE_INFINITY : session.step;
    return result;
  },

  async 'inspect.unwatch'(_args, { session }) {
    session.watch = null;
    return null;
  },
};
