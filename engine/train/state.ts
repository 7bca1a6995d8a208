// A bound program's state_dict: default init as PyTorch does it (from the seeded generator), loading
// weights by state_dict key, and reading them back for export.

import type { Executor } from '../compile/backend.ts';
import { numel, type Program } from '../compile/program.ts';
import type { Random } from './random.ts';

/** One state_dict entry on the host, with PyTorch's dtype (num_batches_tracked is int64). */
export interface StateValue {
  shape: number[];
  dtype: 'float32' | 'int64';
  data: Float32Array | BigInt64Array;
}

/**
 * PyTorch's default init: conv and linear weights and biases uniform(-1/sqrt(fan_in), 1/sqrt(fan_in))
 * (the bound each layer's `state` gives), BatchNorm weight 1 and bias 0, running_mean 0, running_var 1,
 * num_batches_tracked 0. Each entry draws from its own stream `init:<key>`.
 */
export function initialize(exec: Executor<Program>, rng: Random): void {
  for (const entry of exec.program.state) {
    const n = numel(exec.program.tensors[entry.tensor]!.shape);
    if (entry.torchDtype === 'int64') {
      exec.write(entry.tensor, new Int32Array(n));
      continue;
    }
    const data = new Float32Array(n);
    const init = entry.init;
    if (init.kind === 'uniform') {
      const stream = rng.split(`init:${entry.key}`);
      for (let k = 0; k < n; k++) data[k] = stream.uniform(-init.bound, init.bound);
    } else if (init.kind === 'ones') data.fill(1);
    exec.write(entry.tensor, data);
  }
}

type Loadable = Float32Array | Int32Array | BigInt64Array | readonly number[];

/**
 * Writes entries by state_dict key. `strict` (default) requires exactly the program's keys, like
 * `load_state_dict`; shapes must match in size.
 */
export function loadState(
  exec: Executor<Program>,
  values: ReadonlyMap<string, Loadable>,
  strict = true,
): void {
  const keys = new Set(exec.program.state.map((e) => e.key));
  if (strict) {
    const missing = [...keys].filter((k) => !values.has(k));
    const unexpected = [...values.keys()].filter((k) => !keys.has(k));
    if (missing.length || unexpected.length)
      throw new Error(
        `state_dict mismatch: missing [${missing.join(', ')}], unexpected [${unexpected.join(', ')}]`,
      );
  }
  for (const entry of exec.program.state) {
    const value = values.get(entry.key);
    if (value === undefined) continue;
    const n = numel(exec.program.tensors[entry.tensor]!.shape);
    if (value.length !== n) throw new Error(`${entry.key}: ${value.length} values for a tensor of ${n}`);
    const numbers = value instanceof BigInt64Array ? Array.from(value, Number) : value;
    exec.write(
      entry.tensor,
      entry.torchDtype === 'int64' ? Int32Array.from(numbers) : Float32Array.from(numbers),
    );
  }
}

/** Reads every entry back, in state_dict order. */
export async function readState(exec: Executor<Program>): Promise<Map<string, StateValue>> {
  const out = new Map<string, StateValue>();
  for (const entry of exec.program.state) {
    const data = await exec.read(entry.tensor);
    const shape = [...exec.program.tensors[entry.tensor]!.shape];
    out.set(
      entry.key,
      entry.torchDtype === 'int64'
        ? { shape, dtype: 'int64', data: BigInt64Array.from(data, (v) => BigInt(v)) }
        : { shape, dtype: 'float32', data: data as Float32Array },
    );
  }
  return out;
}

/** Copies every state_dict entry from one bound program to another (e.g. train -> inference program). */
export async function copyState(from: Executor<Program>, to: Executor<Program>): Promise<void> {
  const values = new Map<string, Loadable>();
  for (const [key, v] of await readState(from)) values.set(key, v.data);
  loadState(to, values);
}
