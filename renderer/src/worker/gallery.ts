// The validation gallery: the network's guess for each held-out sample (eval mode), misclassified ones first.

import { compile } from '../../../engine/compile/compile.ts';
import { gatherImages } from '../../../engine/data/dataset.ts';
import type { DataSet } from '../../../engine/data/types.ts';
import type { Graph } from '../../../engine/graph/types.ts';
import type { StateDict } from '../../../engine/io/tensor.ts';
import { makeBatch, type Preprocess } from '../../../engine/train/batches.ts';
import { loadState } from '../../../engine/train/state.ts';
import { runForward } from '../../../engine/train/train-step.ts';
import type { Gallery, Prediction } from './protocol.ts';
import type { EngineSession } from './session.ts';

/** Samples the gallery looks at (the first of the holdout), and tiles it shows. */
export const GALLERY_LOOK = 1000;
export const GALLERY_TILES = 48;
const BATCH = 50;

/** Softmax probability of the highest logit, and its class (the first highest, as torch.argmax). */
export function topClass(logits: ArrayLike<number>, from: number, classes: number): [number, number] {
  let best = 0;
  for (let k = 1; k < classes; k++) if (logits[from + k]! > logits[from + best]!) best = k;
  let sum = 0;
  for (let k = 0; k < classes; k++) sum += Math.exp(logits[from + k]! - logits[from + best]!);
  return [best, 1 / sum];
}

/** The network's predictions for `indices` with `weights`, in eval mode, in batches of 50 (the last padded). */
export async function predict(
  session: EngineSession,
  graph: Graph,
  weights: StateDict,
  dataset: DataSet,
  indices: Uint32Array,
  pre: Preprocess,
): Promise<Prediction[]> {
  const size = Math.min(BATCH, indices.length);
  const { exec } = await session.program(`predict${size}`, graph, async (backend) =>
    backend.bind(compile(graph, size, { mode: 'eval' })),
  );
  const program = exec.program;
  loadState(exec, new Map([...weights].map(([k, t]) => [k, t.data as Float32Array])));
  const classes = program.tensors[program.logits]!.shape[1]!;
  const out: Prediction[] = [];
  for (let at = 0; at < indices.length; at += size) {
    const part = Array.from(indices.subarray(at, at + size));
    const count = part.length;
    while (part.length < size) part.push(part[0]!);
    const batch = makeBatch(dataset, part, { ...pre, augment: null }, 0);
    exec.write(program.batch, batch.images);
    exec.write(program.labels, batch.labels);
    runForward(exec, false);
    await exec.flush();
    const logits = await exec.read(program.logits);
    for (let n = 0; n < count; n++) {
      const [predicted, confidence] = topClass(logits, n * classes, classes);
      out.push({ index: part[n]!, label: batch.labels[n]!, predicted, confidence });
    }
  }
  return out;
}

/** Misclassified first (most confident mistakes first), then correct ones, at most GALLERY_TILES. */
export function galleryOrder(predictions: readonly Prediction[]): Prediction[] {
  const wrong = predictions
    .filter((p) => p.predicted !== p.label)
    .sort((a, b) => b.confidence - a.confidence);
  const right = predictions.filter((p) => p.predicted === p.label);
  const shownWrong = wrong.slice(0, Math.min(wrong.length, GALLERY_TILES - Math.min(12, right.length)));
  return [...shownWrong, ...right.slice(0, GALLERY_TILES - shownWrong.length)];
}

export async function buildGallery(
  session: EngineSession,
  graph: Graph,
  weights: StateDict,
  dataset: DataSet,
  holdout: Uint32Array,
  pre: Preprocess,
  epoch: number,
): Promise<Gallery | null> {
  if (holdout.length === 0) return null;
  const looked = holdout.subarray(0, GALLERY_LOOK);
  const predictions = await predict(session, graph, weights, dataset, looked, pre);
  const shown = galleryOrder(predictions);
  const indices = shown.map((p) => p.index);
  return {
    epoch,
    predictions: shown,
    images: {
      shape: [...dataset.shape],
      count: indices.length,
      bytes: gatherImages(dataset, indices),
      labels: shown.map((p) => p.label),
      indices,
    },
    looked: predictions.length,
    wrong: predictions.filter((p) => p.predicted !== p.label).length,
  };
}
