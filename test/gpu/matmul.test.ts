// Matmul kernels on WebGPU (SwiftShader in CI) against the CPU reference: every variant, transpose and bias.

import { describe, expect, it } from 'vitest';
import {
  chooseVariant,
  MATMUL_VARIANTS,
  type MatmulShape,
  type MatmulVariant,
  matmulReference,
  runMatmul,
  TENSOR_USAGE,
  variantChoice,
} from '../../engine/gpu/index.ts';
import { sharedRuntime } from './fixture.ts';

// NOTE: no skip when WebGPU is missing: opening the runtime throws a GpuError and every test here fails.
const gpu = sharedRuntime();

/** Deterministic values in [-1, 1). */
function values(length: number, seed: number): Float32Array {
  let state = seed >>> 0 || 1;
  return Float32Array.from({ length }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  });
}

async function gpuMatmul(
  variant: MatmulVariant,
  shape: MatmulShape,
  a: Float32Array,
  b: Float32Array,
  bias?: Float32Array,
  initial?: Float32Array,
): Promise<Float32Array> {
  const runtime = await gpu();
  const outLength =
    ((shape.batch ?? 1) - 1) * (shape.batchStrideOut ?? shape.m * shape.n) + shape.m * shape.n;
  const buffers = {
    a: runtime.upload(a),
    b: runtime.upload(b),
    out: initial ? runtime.upload(initial) : runtime.buffers.acquire(outLength * 4, TENSOR_USAGE),
    bias: bias ? runtime.upload(bias) : undefined,
  };
  try {
    await runMatmul(runtime, buffers, shape, variant);
    return await runtime.readFloat32(buffers.out, outLength);
  } finally {
    for (const buffer of Object.values(buffers)) if (buffer) runtime.buffers.release(buffer);
  }
}

function expectClose(got: Float32Array, want: Float32Array, what: string): void {
  expect(got.length, what).toBe(want.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < want.length; i++) {
    const error = Math.abs(got[i]! - want[i]!) / Math.max(1, Math.abs(want[i]!));
    if (!(error <= worst)) {
      worst = error;
      at = i;
    }
  }
  expect(
    worst,
    `${what}: worst relative error at ${at}: got ${got[at]}, want ${want[at]}`,
  ).toBeLessThanOrEqual(1e-4);
}

const SIZES: [number, number, number][] = [
  [1, 1, 1],
  [7, 13, 5],
  [33, 65, 17],
  [64, 64, 64],
];
const TRANSPOSES: [boolean, boolean][] = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
];

describe.each(MATMUL_VARIANTS)('matmul %s', (variant) => {
  it.each(SIZES)(
    'matches the CPU reference at m=%i n=%i k=%i, every transpose, with and without bias',
    async (m, n, k) => {
      const a = values(m * k, m * 1000 + k);
      const b = values(k * n, n * 1000 + k);
      const bias = values(n, n);
      for (const [transposeA, transposeB] of TRANSPOSES) {
        for (const withBias of [false, true]) {
          const shape: MatmulShape = { m, n, k, transposeA, transposeB, bias: withBias };
          const got = await gpuMatmul(variant, shape, a, b, withBias ? bias : undefined);
          expectClose(got, matmulReference(a, b, shape, bias), `${variant} ${JSON.stringify(shape)}`);
        }
      }
    },
  );

  it('accumulates into out and runs a batch with a shared B (Linear weight gradient, conv-style batches)', async () => {
    const [m, n, k, batch] = [9, 6, 11, 3];
    const a = values(batch * m * k, 7);
    const b = values(k * n, 8);
    const initial = values(batch * m * n, 9);
    const shape: MatmulShape = { m, n, k, transposeA: true, batch, batchStrideB: 0, accumulate: true };
    const got = await gpuMatmul(variant, shape, a, b, undefined, initial);
    expectClose(got, matmulReference(a, b, shape, undefined, initial.slice()), `${variant} batch+accumulate`);
  });
});

describe('chooseVariant', () => {
  it('measures once per adapter and remembers the winner', async () => {
    const runtime = await gpu();
    const first = await chooseVariant(runtime);
    expect(MATMUL_VARIANTS).toContain(first);
    const choice = await variantChoice(runtime);
    expect(choice.timings.map((t) => t.variant)).toEqual([...MATMUL_VARIANTS]);
    for (const t of choice.timings) expect(t.gflops, t.variant).toBeGreaterThan(0);
    const started = performance.now();
    expect(await chooseVariant(runtime)).toBe(first);
    expect(performance.now() - started).toBeLessThan(50);
  });
});
