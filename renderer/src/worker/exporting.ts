// Export and import of weights in the worker: .pt state_dict, full training checkpoint, safetensors and model.py
// for the current weights, and a .pt or safetensors file loaded into the graph with load_state_dict's report.

import { defaultStateDict, exportBytes } from '../../../engine/io/export.ts';
import { formatLoadReport, loadWeights } from '../../../engine/io/load-weights.ts';
import { readSafetensors } from '../../../engine/io/safetensors/index.ts';
import type { StateDict } from '../../../engine/io/tensor.ts';
import { readCheckpoint } from '../../../engine/io/torch/read.ts';
import { writeStateDict } from '../../../engine/io/torch/write.ts';
import { encodeTrainingCheckpoint } from '../../../engine/train/checkpoint.ts';
import type { Handler } from './host.ts';

/** Same keys with the same shapes, in any order. */
function sameLayout(a: StateDict, b: StateDict): boolean {
  if (a.size !== b.size) return false;
  for (const [key, t] of a) {
    const other = b.get(key);
    if (!other || other.shape.length !== t.shape.length || other.shape.some((d, i) => d !== t.shape[i]))
      return false;
  }
  return true;
}

/** safetensors starts with an 8-byte header length, then `{`; a .pt is a zip (`PK`) or a legacy pickle. */
function isSafetensors(bytes: Uint8Array, name: string): boolean {
  if (/\.safetensors$/i.test(name)) return true;
  return bytes.length > 9 && bytes[8] === 0x7b && !(bytes[0] === 0x50 && bytes[1] === 0x4b);
}

export const exportHandlers: {
  export: Handler<'export'>;
  'weights.snapshot': Handler<'weights.snapshot'>;
  'weights.load': Handler<'weights.load'>;
  'weights.reset': Handler<'weights.reset'>;
} = {
  async 'weights.reset'(_args, { session }) {
    if (session.control) throw new Error('A training run is going: stop it first.');
    // A new version (so cached programs reload), then no weights: the seeded init again.
    session.setWeights(new Map(), 'initial', 0);
    session.weights = null;
    session.snapshot = null;
    session.history = [];
    session.gradients = null;
    return null;
  },

  async export({ graph, kind, className, settings }, { session }) {
    const weights = session.weightsFor(graph);
    const snapshot = session.snapshot;
    // The full checkpoint of the run (optimizer state, data position, history) when it still fits the graph.
    if (kind === 'checkpoint' && snapshot && sameLayout(snapshot.model, weights))
      return encodeTrainingCheckpoint(snapshot);
    return exportBytes(kind, {
      graph,
      weights,
      className,
      training: settings,
      ...(snapshot ? { epoch: snapshot.epoch, step: snapshot.step } : {}),
    });
  },

  async 'weights.snapshot'({ graph }, { session }) {
    return {
      stateDict: writeStateDict(session.weightsFor(graph), { archiveName: 'model' }),
      history: [...session.history],
    };
  },

  async 'weights.load'({ graph, bytes, name, strict, history }, { session }) {
    const { stateDict, warnings } = isSafetensors(bytes, name)
      ? readSafetensors(bytes)
      : await readCheckpoint(bytes);
    const result = loadWeights(graph, stateDict, { strict });
    const text = formatLoadReport(result.report);
    if (!result.ok) return { ok: false, text, warnings, loaded: 0 };
    const merged: StateDict = new Map();
    for (const [key, tensor] of defaultStateDict(graph, session.seed))
      merged.set(key, result.loaded.get(key) ?? tensor);
    session.setWeights(merged, 'loaded', 0);
    session.snapshot = null;
    session.history = history ? [...history] : [];
    let loaded = 0;
    for (const key of result.loaded.keys()) if (stateDict.has(key)) loaded++;
    return { ok: true, text, warnings, loaded };
  },
};
