// Loading a state_dict into a graph by key, as PyTorch's load_state_dict does, with a report naming each node.

import { analyze } from '../graph/analyze.ts';
import { modulePaths } from '../graph/modules.ts';
import { type StateKey, stateDictKeys } from '../graph/state-dict.ts';
import type { Graph } from '../graph/types.ts';
import { type HostTensor, hostTensor, int64Values, type StateDict, toFloat32, toNumbers } from './tensor.ts';

export interface MissingTensor {
  key: string;
  nodeId: string;
  /** Module path of the node, e.g. `layer1.0.conv1`. */
  path: string;
}

export interface MismatchedTensor {
  key: string;
  nodeId: string;
  /** The shape the network needs. */
  expected: number[];
  /** The shape the file has. */
  got: number[];
}

/** What `load_state_dict` would complain about: keys the network needs but the file lacks, and so on. */
export interface LoadReport {
  missing: MissingTensor[];
  unexpected: string[];
  mismatched: MismatchedTensor[];
}

export interface LoadResult {
  /** The tensors that fit, under our keys, in our order: float32, and int64 for `num_batches_tracked`. */
  loaded: StateDict;
  report: LoadReport;
  /**
   * Strict: nothing missing, unexpected or mismatched (what `load_state_dict(strict=True)` accepts).
   * Not strict: at least one tensor of the file loaded, or the network has none to load.
   */
  ok: boolean;
}

export interface LoadOptions {
  /** As PyTorch's `strict`: every key must match. Default true. */
  strict?: boolean;
}

/**
 * Matches `stateDict` to the graph's state_dict keys. What fits is converted and returned in `loaded`; what
 * does not is reported and left to the caller's init. Tensors come over in either mode, so a non-strict load
 * of an ImageNet ResNet-18 into one with a 10-class `fc` loads everything but `fc.weight` and `fc.bias`.
 * NOTE: PyTorch refuses shape mismatches even when not strict; here non-strict skips them, which is the
 * usual fine-tuning recipe (load what fits, train the rest).
 */
export function loadWeights(graph: Graph, stateDict: StateDict, options: LoadOptions = {}): LoadResult {
  const strict = options.strict ?? true;
  const keys = stateDictKeys(analyze(graph));
  const paths = modulePaths(graph);
  const report: LoadReport = { missing: [], unexpected: [], mismatched: [] };
  const loaded: StateDict = new Map();
  let fromFile = 0;
  const ours = new Set(keys.map((k) => k.key));
  for (const entry of keys) {
    let tensor = stateDict.get(entry.key);
    if (!tensor) {
      // NOTE: as PyTorch's BatchNorm does for a state_dict without version metadata (ours never has it),
      // a missing num_batches_tracked is taken as 0 rather than reported.
      if (entry.name === 'num_batches_tracked') loaded.set(entry.key, hostTensor('int64', []));
      else report.missing.push({ key: entry.key, nodeId: entry.nodeId, path: paths.get(entry.nodeId) ?? '' });
      continue;
    }
    // NOTE: PyTorch accepts a 1-element vector for a scalar (old checkpoints kept num_batches_tracked so).
    if (entry.shape.length === 0 && tensor.shape.length === 1 && tensor.shape[0] === 1)
      tensor = { ...tensor, shape: [] };
    if (!sameShape(entry.shape, tensor.shape)) {
      report.mismatched.push({
        key: entry.key,
        nodeId: entry.nodeId,
        expected: [...entry.shape],
        got: [...tensor.shape],
      });
      continue;
    }
    loaded.set(entry.key, convert(tensor, entry));
    fromFile++;
  }
  for (const key of stateDict.keys()) if (!ours.has(key)) report.unexpected.push(key);
  const clean = report.missing.length + report.unexpected.length + report.mismatched.length === 0;
  const ok = strict ? clean : fromFile > 0 || keys.length === 0;
  return { loaded, report, ok };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The dtype our state keeps: float32 for parameters and statistics, int64 for counters. */
function convert(tensor: HostTensor, entry: StateKey): HostTensor {
  const shape = [...entry.shape];
  if (entry.dtype === 'int64') {
    if (tensor.dtype.startsWith('float') || tensor.dtype === 'bfloat16')
      return hostTensor(
        'int64',
        shape,
        BigInt64Array.from(toNumbers(tensor), (v) => BigInt(Math.trunc(v))),
      );
    return hostTensor('int64', shape, BigInt64Array.from(int64Values(tensor)));
  }
  if (tensor.dtype === 'float32') return { ...tensor, shape };
  const floating = toFloat32(tensor).tensor;
  if (floating.dtype === 'float32') return { ...floating, shape };
  return hostTensor('float32', shape, Float32Array.from(toNumbers(tensor)));
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
const dims = (shape: readonly number[]) => (shape.length === 0 ? 'a single number' : shape.join(' x '));

/** The report in the user's words, one paragraph per kind of problem; a single line when all matched. */
export function formatLoadReport(report: LoadReport): string {
  const parts: string[] = [];
  if (report.mismatched.length > 0)
    parts.push(
      `${plural(report.mismatched.length, 'tensor has', 'tensors have')} a different shape in the file, so ${report.mismatched.length === 1 ? 'it was' : 'they were'} not loaded and keep${report.mismatched.length === 1 ? 's its' : ' their'} initial values:\n${report.mismatched
        .map((m) => `  ${m.key}: the network needs ${dims(m.expected)}, the file has ${dims(m.got)}`)
        .join('\n')}`,
    );
  if (report.missing.length > 0)
    parts.push(
      `${plural(report.missing.length, 'tensor the network needs is', 'tensors the network needs are')} not in the file, so ${report.missing.length === 1 ? 'it keeps its' : 'they keep their'} initial values:\n${report.missing
        .map((m) => `  ${m.key}`)
        .join('\n')}`,
    );
  if (report.unexpected.length > 0) {
    const hint = report.unexpected.some((k) => k.startsWith('module.'))
      ? "\n  (Keys starting with 'module.' come from a model saved inside nn.DataParallel: save model.module.state_dict() instead.)"
      : '';
    parts.push(
      `${plural(report.unexpected.length, 'tensor in the file matches', 'tensors in the file match')} no layer of the network and ${report.unexpected.length === 1 ? 'was' : 'were'} ignored:\n${report.unexpected
        .map((k) => `  ${k}`)
        .join('\n')}${hint}`,
    );
  }
  return parts.length > 0
    ? parts.join('\n\n')
    : 'Every tensor in the file matched the network and was loaded.';
}
