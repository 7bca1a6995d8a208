// Matmul kernels on WebGPU (SwiftShader in CI) against the CPU reference: every variant, transpose and bias.

import { describe, expect, it } from 'vitest';
import type { BackwardStep, ForwardStep } from '../../engine/compile/program.ts';
import { compileOp } from '../../engine/compile/single-op.ts';
import { cpuBackend } from '../../engine/cpu/backend.ts';
import {
  chooseVariant,
  MATMUL_VARIANTS,
  type MatmulShape,
  type MatmulVariant,
  matmulReference,
  matmulSplit,
  runMatmul,
  TENSOR_USAGE,
  variantChoice,
} from '../../engine/gpu/index.ts';
import { webgpuBackend } from '../../engine/webgpu/index.ts';
import { linear } from '../../engine/webgpu/linear.ts';
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

describe.each(MATMUL_VARIANTS)('split-K matmul %s', (variant) => {
  it('equals the unsplit product on odd sizes, every transpose, with bias and accumulation', async () => {
    // k = 2053: chunks of 416 (forced 5 splits) leave a last chunk of 389, not a whole vec4.
    const [m, n, k] = [7, 13, 2053];
    const a = values(m * k, 11);
    const b = values(k * n, 12);
    const bias = values(n, 13);
    const initial = values(m * n, 14);
    for (const [transposeA, transposeB] of TRANSPOSES) {
      for (const [withBias, accumulate] of [
        [false, false],
        [true, false],
        [true, true],
      ] as const) {
        const shape: MatmulShape = { m, n, k, transposeA, transposeB, bias: withBias, accumulate };
        expect(matmulSplit({ ...shape, splitK: 5 }, variant).splits).toBe(5);
        const what = `${variant} ${JSON.stringify(shape)}`;
        const run = (splitK: number) =>
          gpuMatmul(
            variant,
            { ...shape, splitK },
            a,
            b,
            withBias ? bias : undefined,
            accumulate ? initial : undefined,
          );
        const split = await run(5);
        const unsplit = await run(1);
        expectClose(split, unsplit, `${what} split vs unsplit`);
        const want = matmulReference(a, b, shape, bias, accumulate ? initial.slice() : undefined);
        expectClose(split, want, `${what} split vs reference`);
      }
    }
  });

  it('splits each entry of a batch by the shape rule (m 5, n 3, k 4100, batch 2)', async () => {
    const [m, n, k, batch] = [5, 3, 4100, 2];
    const shape: MatmulShape = { m, n, k, transposeB: true, bias: true, batch, batchStrideB: 0 };
    const split = matmulSplit(shape, variant);
    expect(split.splits).toBeGreaterThan(1);
    const a = values(batch * m * k, 21);
    const b = values(k * n, 22);
    const bias = values(n, 23);
    const got = await gpuMatmul(variant, shape, a, b, bias);
    expectClose(got, matmulReference(a, b, shape, bias), `${variant} batched split ${JSON.stringify(split)}`);
  });
});

describe('split-K shape rule', () => {
  it("splits the chapter ResNet's 32768 -> 10 Linear forward at batch 64, and not its gradients", () => {
    for (const variant of MATMUL_VARIANTS) {
      const forward = matmulSplit({ m: 64, n: 10, k: 32768, transposeB: true, bias: true }, variant);
      expect(forward.splits, variant).toBeGreaterThanOrEqual(32);
      expect(forward.chunk % 8, variant).toBe(0);
      expect((forward.splits - 1) * forward.chunk, variant).toBeLessThan(32768);
      // dx = dy W (k = 10) and dW = dy^T x (k = 64, 10 x 32768 outputs): many tiles, short k.
      expect(matmulSplit({ m: 64, n: 32768, k: 10 }, variant).splits, variant).toBe(1);
      expect(matmulSplit({ m: 10, n: 32768, k: 64, transposeA: true }, variant).splits, variant).toBe(1);
      // Square products fill the device without it; splitK: 1 turns it off.
      expect(matmulSplit({ m: 256, n: 256, k: 256 }, variant).splits, variant).toBe(1);
      expect(matmulSplit({ m: 1024, n: 1024, k: 4096 }, variant).splits, variant).toBe(1);
      expect(matmulSplit({ m: 64, n: 10, k: 32768, splitK: 1 }, variant).splits, variant).toBe(1);
    }
  });

  it("plans the ResNet Linear's forward as split-K partials plus their reduction, its gradients unsplit", () => {
    const program = compileOp('linear', { bias: true }, { x: [64, 32768], weight: [10, 32768], bias: [10] });
    for (const matmulVariant of MATMUL_VARIANTS) {
      const ctx = {
        shape: (id: number) => program.tensors[id]!.shape,
        matmulVariant,
        convVariant: 'blocked' as const,
        splitK: true,
        maxWorkgroups: 4096,
        subgroupLoads: false,
      };
      const forward = linear.forward(program.forward[0] as ForwardStep<'linear'>, ctx, true);
      expect(forward.map((p) => p.spec.name).at(-1), matmulVariant).toBe('matmul_split_reduce');
      expect(forward[0]!.bindings[3], matmulVariant).toMatchObject({ scratch: 'matmul.partials' });
      const backward = linear.backward(program.backward[0] as BackwardStep<'linear'>, ctx, true);
      expect(
        backward.map((p) => p.spec.name),
        matmulVariant,
      ).not.toContain('matmul_split_reduce');
      // Where the adapter turns the rule off (software adapters), one unsplit dispatch.
      const off = linear.forward(
        program.forward[0] as ForwardStep<'linear'>,
        { ...ctx, splitK: false },
        true,
      );
      expect(off.length, matmulVariant).toBe(1);
      expect(off[0]!.spec.constants?.SPLIT_K, matmulVariant).toBe(false);
    }
  });
});

describe('split-K in a bound program', () => {
  it.each(MATMUL_VARIANTS)(
    'Linear 3000 -> 7 at batch 5 (%s): forward and gradients match the CPU backend',
    async (matmulVariant) => {
      const program = compileOp('linear', { bias: true }, { x: [5, 3000], weight: [7, 3000], bias: [7] });
      expect(matmulSplit({ m: 5, n: 7, k: 3000, transposeB: true }, matmulVariant).splits).toBeGreaterThan(1);
      const runtime = await gpu();
      const gpuExec = await webgpuBackend(runtime, { matmulVariant, splitK: true }).bind(program);
      const cpuExec = await cpuBackend.bind(program);
      try {
        const inputs = program.inputs as Record<string, number>;
        for (const [name, id] of Object.entries(inputs)) {
          const data = values(
            program.tensors[id]!.shape.reduce((a, b) => a * b, 1),
            name.length * 17,
          );
          for (const exec of [gpuExec, cpuExec]) exec.write(id, data);
        }
        const dy = values(5 * 7, 99);
        for (const exec of [gpuExec, cpuExec]) {
          exec.forward(0, true);
          exec.write(program.gradOutput, dy);
          exec.backward(0, true);
        }
        const read = async (id: number) => [
          (await gpuExec.read(id)) as Float32Array,
          (await cpuExec.read(id)) as Float32Array,
        ];
        const [got, want] = await read(program.output);
        expectClose(got!, want!, `${matmulVariant} split-K forward`);
        for (const [name, id] of Object.entries(program.grads as Record<string, number>)) {
          const [g, w] = await read(id);
          expectClose(g!, w!, `${matmulVariant} grad ${name}`);
        }
      } finally {
        gpuExec.dispose();
      }
    },
  );
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
