// Test support for the engine: reads the PyTorch fixtures (safetensors + JSON), compares tensors with the
// engine tolerance, and builds the fixture networks (LeNet-5, the course's small ResNet) as graphs.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { Residual } from '../../engine/graph/blocks/residual.ts';
import { GraphBuilder } from '../../engine/graph/builder.ts';
import type { Graph } from '../../engine/graph/types.ts';

export const ENGINE_FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'engine');

export interface FixtureTensor {
  shape: number[];
  dtype: 'F32' | 'I32' | 'I64';
  /** Float32Array for F32; Int32Array for I32 and I64 (values checked to fit). */
  data: Float32Array | Int32Array;
}

/** Parses a safetensors file: u64 header length, JSON header, then little-endian raw data. */
export function readSafetensors(path: string): Map<string, FixtureTensor> {
  const bytes = readFileSync(path);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<
    string,
    { dtype: FixtureTensor['dtype']; shape: number[]; data_offsets: [number, number] }
  >;
  const base = 8 + headerLength;
  const out = new Map<string, FixtureTensor>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [from, to] = entry.data_offsets;
    const raw = bytes.buffer.slice(bytes.byteOffset + base + from, bytes.byteOffset + base + to);
    let data: Float32Array | Int32Array;
    if (entry.dtype === 'F32') data = new Float32Array(raw);
    else if (entry.dtype === 'I32') data = new Int32Array(raw);
    else if (entry.dtype === 'I64') {
      const wide = new BigInt64Array(raw);
      data = Int32Array.from(wide, (v) => {
        if (v > 2147483647n || v < -2147483648n) throw new Error(`${name}: ${v} does not fit int32`);
        return Number(v);
      });
    } else throw new Error(`${name}: unsupported dtype ${entry.dtype}`);
    out.set(name, { shape: entry.shape, dtype: entry.dtype, data });
  }
  return out;
}

export interface Fixture<Meta> {
  meta: Meta;
  tensors: Map<string, FixtureTensor>;
  get(name: string): FixtureTensor;
}

/** Loads `<name>.json` and `<name>.safetensors` from test/fixtures/engine. */
export function loadFixture<Meta>(name: string, dir = ENGINE_FIXTURES): Fixture<Meta> {
  const meta = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as Meta;
  const tensors = readSafetensors(join(dir, `${name}.safetensors`));
  return {
    meta,
    tensors,
    get(tensor) {
      const t = tensors.get(tensor);
      if (!t) throw new Error(`fixture ${name} has no tensor ${tensor}`);
      return t;
    },
  };
}

/** The engine's tolerance: max abs error <= 1e-4 x max(1, max abs of the reference). */
export function tolerance(reference: ArrayLike<number>): number {
  let max = 0;
  for (let k = 0; k < reference.length; k++) max = Math.max(max, Math.abs(reference[k]!));
  return 1e-4 * Math.max(1, max);
}

export function maxAbsError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let err = 0;
  for (let k = 0; k < expected.length; k++) {
    const d = Math.abs(actual[k]! - expected[k]!);
    err = Number.isNaN(d) ? Number.POSITIVE_INFINITY : Math.max(err, d);
  }
  return err;
}

/** Asserts `actual` matches the reference within the engine tolerance, naming the tensor on failure. */
export function expectClose(label: string, actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  const err = maxAbsError(actual, expected);
  const tol = tolerance(expected);
  expect(
    err,
    `${label}: max abs error ${err.toExponential(2)} > tolerance ${tol.toExponential(2)}`,
  ).toBeLessThanOrEqual(tol);
}

/** Metadata of a network fixture, as make_fixtures.py writes it. */
export interface NetworkMeta {
  inputShape: number[];
  batchSize: number;
  keys: string[];
  sgd: { lr: number; momentum: number; weight_decay: number };
  adam: { lr: number };
}

/** LeNet-5 as in make_fixtures.py: state_dict keys conv1, conv2, fc1, fc2, fc3. */
export function lenetGraph(): Graph {
  const b = new GraphBuilder();
  let x = b.layer('Input', { shape: [1, 28, 28] }, [], 'input');
  x = b.layer('Conv2d', { out_channels: 6, kernel_size: 5, padding: 2 }, [x], 'conv1');
  x = b.layer('ReLU', {}, [x]);
  x = b.layer('MaxPool2d', { kernel_size: 2 }, [x], 'pool1');
  x = b.layer('Conv2d', { out_channels: 16, kernel_size: 5 }, [x], 'conv2');
  x = b.layer('ReLU', {}, [x]);
  x = b.layer('MaxPool2d', { kernel_size: 2 }, [x], 'pool2');
  x = b.layer('Flatten', {}, [x], 'flatten');
  x = b.layer('Linear', { out_features: 120 }, [x], 'fc1');
  x = b.layer('ReLU', {}, [x]);
  x = b.layer('Linear', { out_features: 84 }, [x], 'fc2');
  x = b.layer('ReLU', {}, [x]);
  x = b.layer('Linear', { out_features: 10 }, [x], 'fc3');
  b.layer('Output', { num_classes: 10 }, [x], 'output');
  return b.graph;
}

/** The course's small ResNet (conv1 Sequential, blk1 16->16, blk2 16->32, outlayer) on size x size images. */
export function resnetGraph(size: number): Graph {
  const b = new GraphBuilder();
  let x = b.layer('Input', { shape: [3, size, size] }, [], 'input');
  x = b.sequential('conv1', x, [
    ['Conv2d', { in_channels: 3, out_channels: 16, kernel_size: 3, stride: 1, padding: 1 }],
    ['BatchNorm2d', { num_features: 16 }],
  ]);
  x = b.layer('ReLU', {}, [x]);
  x = Residual.build(b, x, { in_channels: 16, out_channels: 16, style: 'chapter' }, 'blk1');
  x = Residual.build(b, x, { in_channels: 16, out_channels: 32, style: 'chapter' }, 'blk2');
  x = b.layer('Flatten', {}, [x], 'flatten');
  x = b.layer('Linear', { out_features: 10 }, [x], 'outlayer');
  b.layer('Output', { num_classes: 10 }, [x], 'output');
  return b.graph;
}

/** The fixture's `<prefix>.<key>` tensors by state_dict key. */
export function stateFrom(
  fixture: Fixture<NetworkMeta>,
  prefix: string,
): Map<string, Float32Array | Int32Array> {
  return new Map(fixture.meta.keys.map((key) => [key, fixture.get(`${prefix}.${key}`).data]));
}
