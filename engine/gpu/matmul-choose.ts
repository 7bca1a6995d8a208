// Picks the fastest matmul variant for an adapter by measuring each once, and remembers it per adapter.
/// <reference types="@webgpu/types" />

import { adapterKey } from './device.ts';
import { TENSOR_USAGE } from './flags.ts';
import {
  MATMUL_VARIANTS,
  type MatmulShape,
  type MatmulVariant,
  normalizeShape,
  prepareMatmul,
} from './matmul.ts';
import type { GpuRuntime } from './runtime.ts';

export interface VariantTiming {
  variant: MatmulVariant;
  /** Median seconds per matmul, or Infinity when the variant failed to compile or run. */
  seconds: number;
  gflops: number;
  error?: string;
}

export interface VariantChoice {
  variant: MatmulVariant;
  timings: VariantTiming[];
}

export interface MeasureOptions {
  /** Timed runs after one warm-up; the median is kept. */
  runs?: number;
  /** Repeat the dispatch within one submission until a run takes at least this long (fast GPUs). */
  minRunSeconds?: number;
  variants?: readonly MatmulVariant[];
}

/** The representative size chooseVariant measures: big enough to fill a GPU, small enough for SwiftShader. */
export const CHOICE_SIZE = 256;

// NOTE: in memory only, keyed by adapter (vendor|architecture|device|description): a new process measures again.
const choices: Record<string, Promise<VariantChoice>> = {};

/** The fastest variant on this runtime's adapter; measured at first use, then remembered. */
export async function chooseVariant(runtime: GpuRuntime): Promise<MatmulVariant> {
  return (await variantChoice(runtime)).variant;
}

/** chooseVariant with the measurements behind it. */
export function variantChoice(runtime: GpuRuntime): Promise<VariantChoice> {
  const key = adapterKey(runtime.summary);
  choices[key] ??= measure(runtime).catch((error) => {
    delete choices[key];
    throw error;
  });
  return choices[key];
}

/** Forgets every remembered choice (tests). */
export function forgetVariantChoices(): void {
  for (const key of Object.keys(choices)) delete choices[key];
}

async function measure(runtime: GpuRuntime): Promise<VariantChoice> {
  const size = CHOICE_SIZE;
  const timings = await timeVariants(runtime, { m: size, n: size, k: size }, { runs: 3 });
  const best = timings.reduce((x, y) => (y.seconds < x.seconds ? y : x));
  if (!Number.isFinite(best.seconds))
    throw new Error(`No matmul variant ran: ${timings.map((t) => t.error).join('; ')}`);
  return { variant: best.variant, timings };
}

/** Times each variant on one shape with random data; all GPU work finishes before each clock stops. */
export async function timeVariants(
  runtime: GpuRuntime,
  shape: MatmulShape,
  options: MeasureOptions = {},
): Promise<VariantTiming[]> {
  const s = normalizeShape(shape);
  const runs = options.runs ?? 5;
  const minRunSeconds = options.minRunSeconds ?? 0.02;
  const lengthA = (s.batch - 1) * s.batchStrideA + s.m * s.k;
  const lengthB = (s.batch - 1) * s.batchStrideB + s.k * s.n;
  const a = runtime.upload(randomArray(lengthA), TENSOR_USAGE, 'timing A');
  const b = runtime.upload(randomArray(lengthB), TENSOR_USAGE, 'timing B');
  const bias = runtime.upload(randomArray(s.n), TENSOR_USAGE, 'timing bias');
  const out = runtime.buffers.acquire(
    ((s.batch - 1) * s.batchStrideOut + s.m * s.n) * 4,
    TENSOR_USAGE,
    'timing out',
  );
  const flops = 2 * s.m * s.n * s.k * s.batch;
  const timings: VariantTiming[] = [];
  try {
    for (const variant of options.variants ?? MATMUL_VARIANTS) {
      let op: Awaited<ReturnType<typeof prepareMatmul>> | undefined;
      try {
        op = await prepareMatmul(runtime, s, variant);
        const prepared = op;
        const once = async (repeats: number) => {
          const start = performance.now();
          runtime.submit((encoder) => {
            const pass = encoder.beginComputePass({ label: `time ${variant}` });
            for (let i = 0; i < repeats; i++) prepared.encode(pass, { a, b, out, bias });
            pass.end();
          });
          await runtime.done();
          return (performance.now() - start) / 1000;
        };
        let repeats = 1;
        // Warm-up, and find how many dispatches per submission make a run long enough to time.
        while ((await once(repeats)) < minRunSeconds && repeats < 256) repeats *= 4;
        const samples: number[] = [];
        for (let i = 0; i < runs; i++) samples.push((await once(repeats)) / repeats);
        const seconds = median(samples);
        timings.push({ variant, seconds, gflops: flops / seconds / 1e9 });
      } catch (error) {
        runtime.check();
        timings.push({ variant, seconds: Number.POSITIVE_INFINITY, gflops: 0, error: String(error) });
      } finally {
        op?.release();
      }
    }
  } finally {
    for (const buffer of [a, b, bias, out]) runtime.buffers.release(buffer);
  }
  return timings;
}

/** Values in [-0.5, 0.5) from a fixed hash: timing needs no randomness, and repeatable runs are easier to compare. */
function randomArray(length: number): Float32Array {
  const data = new Float32Array(length);
  for (let i = 0; i < length; i++) data[i] = ((Math.imul(i + 1, 2654435761) >>> 0) % 4096) / 4096 - 0.5;
  return data;
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
