// The weights the export and parity commands work on: a checkpoint loaded into the graph (strict, or what fits
// with the report), the seeded default init otherwise; the engine's eval outputs; atomic file writes.

import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { compile } from '../engine/compile/compile.ts';
import { cpuBackend } from '../engine/cpu/backend.ts';
import type { Graph } from '../engine/graph/types.ts';
import { defaultStateDict } from '../engine/io/export.ts';
import { formatLoadReport, loadWeights } from '../engine/io/load-weights.ts';
import { readSafetensors } from '../engine/io/safetensors/index.ts';
import type { StateDict } from '../engine/io/tensor.ts';
import type { PyValue } from '../engine/io/torch/python-values.ts';
import { readCheckpoint } from '../engine/io/torch/read.ts';
import { Random } from '../engine/train/random.ts';
import { loadState } from '../engine/train/state.ts';
import { runForward } from '../engine/train/train-step.ts';
import { UsageError } from './args.ts';

export interface GraphWeights {
  /** Every state_dict entry of the graph, in its order. */
  stateDict: StateDict;
  /** The checkpoint's other top-level entries (optimizer, epoch, ...); empty for the default init. */
  extra: Map<string, PyValue>;
}

export interface WeightsOptions {
  /** A .pt/.pth checkpoint or a .safetensors file; absent: the default init from `seed`. */
  file?: string;
  /** Default true: every key must match, as load_state_dict(strict=True). */
  strict?: boolean;
  seed?: number;
}

/**
 * The graph's weights from a checkpoint, or the default init. Not strict: what fits loads, the rest keeps the
 * default init, and the report is printed. Strict: any missing, unexpected or mismatched tensor is an error.
 */
export async function graphWeights(
  graph: Graph,
  options: WeightsOptions,
  out: (line: string) => void,
): Promise<GraphWeights> {
  const init = defaultStateDict(graph, options.seed ?? 0);
  if (options.file === undefined) return { stateDict: init, extra: new Map() };
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(options.file));
  } catch (error) {
    throw new UsageError(`--weights ${options.file}: cannot read the file (${(error as Error).message})`);
  }
  const { stateDict, extra, warnings } = /\.safetensors$/i.test(options.file)
    ? { ...readSafetensors(bytes), extra: new Map<string, PyValue>() }
    : await readCheckpoint(bytes);
  for (const warning of warnings) out(`note: ${warning}`);
  const strict = options.strict ?? true;
  const result = loadWeights(graph, stateDict, { strict });
  if (!result.ok)
    throw new UsageError(
      `--weights ${options.file} does not fit the network${strict ? ' (add --non-strict to load what fits)' : ''}:\n${formatLoadReport(result.report)}`,
    );
  if (!strict) out(formatLoadReport(result.report));
  const merged: StateDict = new Map();
  for (const [key, tensor] of init) merged.set(key, result.loaded.get(key) ?? tensor);
  return { stateDict: merged, extra };
}

/** `batch` samples of `shape`, standard normal from `new Random(seed)`, rounded to float32. */
export function seededInput(shape: readonly number[], batch: number, seed: number): Float32Array {
  const rng = new Random(seed);
  const count = batch * shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: count }, () => rng.normal());
}

/** The network's outputs (logits) on `input` in eval mode, on the CPU backend. */
export async function engineOutputs(
  graph: Graph,
  stateDict: StateDict,
  input: Float32Array,
  batch: number,
): Promise<Float32Array> {
  const program = compile(graph, batch, { mode: 'eval' });
  const exec = await cpuBackend.bind(program);
  try {
    const values = new Map([...stateDict].map(([key, t]) => [key, t.data as Float32Array | BigInt64Array]));
    loadState(exec, values);
    exec.write(program.batch, input);
    exec.write(program.labels, new Int32Array(batch));
    runForward(exec, false);
    await exec.flush();
    return (await exec.read(program.logits)) as Float32Array;
  } finally {
    exec.dispose();
  }
}

/** Writes a temporary file beside `path`, then renames it over `path`: readers never see half a file. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.partial`);
  try {
    writeFileSync(temporary, data);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
