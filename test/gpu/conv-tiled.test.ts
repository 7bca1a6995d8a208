// Conv2d's workgroup-memory tiled variant (the choice on hardware adapters), forced on SwiftShader, against the
// CPU backend at shapes past one 64x64 tile, several weight-gradient chunks and the row-tile loop; and the
// variant choice for software and hardware adapter descriptions. (The PyTorch fixtures run it in
// backend-ops.test.ts.) Fails, not skips, without an adapter.

import { describe, expect, it } from 'vitest';
import type { OpAttrs, Shape } from '../../engine/compile/ops.ts';
import type { TensorId } from '../../engine/compile/program.ts';
import { compileOp } from '../../engine/compile/single-op.ts';
import { cpuBackend } from '../../engine/cpu/backend.ts';
import {
  type AdapterSummary,
  chooseConvVariant,
  chooseSubgroupLoads,
  isSoftwareAdapter,
} from '../../engine/gpu/index.ts';
import { Random } from '../../engine/train/random.ts';
import { convTile, tiledWeightGradChunks } from '../../engine/webgpu/conv2d-tiled.ts';
import { convGeometry, webgpuBackend } from '../../engine/webgpu/index.ts';
import { gpuKernel } from '../../engine/webgpu/kernels.ts';
import { expectClose } from '../support/fixtures.ts';
import { sharedRuntime } from './fixture.ts';

const gpu = sharedRuntime();

const conv = (stride: number, padding: number, dilation = 1, groups = 1, bias = true): OpAttrs['conv2d'] => ({
  stride: [stride, stride],
  padding: [padding, padding],
  dilation: [dilation, dilation],
  groups,
  bias,
});

type Case = [name: string, attrs: OpAttrs['conv2d'], x: Shape, weight: Shape];
const CASES: Case[] = [
  [
    '3x3 pad 1, 429 positions x 70 channels, K 180 (tiles on every side)',
    conv(1, 1),
    [3, 20, 13, 11],
    [70, 20, 3, 3],
  ],
  ['3x3 stride 2 pad 2 dilation 2 groups 2, odd rectangle', conv(2, 2, 2, 2), [2, 6, 17, 15], [8, 3, 3, 3]],
  [
    '1x1 no bias, 2304 positions (9 weight-gradient chunks)',
    conv(1, 0, 1, 1, false),
    [4, 5, 24, 24],
    [6, 5, 1, 1],
  ],
  ['5x5 stride 3 pad 2', conv(3, 2), [2, 3, 19, 16], [7, 3, 5, 5]],
  ['3x3 depthwise (groups = channels)', conv(1, 1, 1, 8), [2, 8, 10, 10], [8, 1, 3, 3]],
];

describe('tiled conv2d agrees with the CPU backend', () => {
  it.each(CASES)('%s', async (_name, attrs, xShape, weightShape) => {
    const shapes = { x: xShape, weight: weightShape, ...(attrs.bias ? { bias: [weightShape[0]!] } : {}) };
    const program = compileOp('conv2d', attrs, shapes as never);
    // maxWorkgroups 2: the kernel loops over the row tiles past the grid.
    const gpuExec = await webgpuBackend(await gpu(), { convVariant: 'tiled', maxWorkgroups: 2 }).bind(
      program,
    );
    const cpuExec = await cpuBackend.bind(program);
    try {
      const rng = new Random(3);
      const inputs = program.inputs as Record<string, TensorId>;
      for (const id of Object.values(inputs)) {
        const n = program.tensors[id]!.shape.reduce((a, b) => a * b, 1);
        const data = Float32Array.from({ length: n }, () => rng.normal());
        for (const exec of [gpuExec, cpuExec]) exec.write(id, data);
      }
      for (const exec of [gpuExec, cpuExec]) exec.forward(0, true);
      expectClose('output', await gpuExec.read(program.output), await cpuExec.read(program.output));
      const n = program.tensors[program.gradOutput]!.shape.reduce((a, b) => a * b, 1);
      const dy = Float32Array.from({ length: n }, () => rng.normal());
      for (const exec of [gpuExec, cpuExec]) {
        exec.write(program.gradOutput, dy);
        exec.backward(0, true);
      }
      for (const [name, id] of Object.entries(program.grads as Record<string, TensorId>))
        expectClose(`grad ${name}`, await gpuExec.read(id), await cpuExec.read(id));
    } finally {
      gpuExec.dispose();
    }
  });

  it('plans only the tiled kernels when tiled is chosen, and none of them otherwise', () => {
    const program = compileOp('conv2d', conv(2, 1), { x: [2, 3, 9, 9], weight: [4, 3, 3, 3], bias: [4] });
    const names = (convVariant: 'tiled' | 'blocked') => {
      const ctx = {
        shape: (id: TensorId) => program.tensors[id]!.shape,
        matmulVariant: 'blocked8x8' as const,
        convVariant,
        splitK: true,
        maxWorkgroups: 4096,
        subgroupLoads: false,
      };
      const step = program.forward[0]!;
      const back = program.backward[0]!;
      return [
        ...gpuKernel(step.op).forward(step, ctx, true),
        ...gpuKernel(back.op).backward(back, ctx, true),
      ].map((p) => p.spec.name);
    };
    expect(names('tiled')).toEqual(['conv2d_tiled', 'conv2d_tiled', 'conv2d_tiled', 'conv2d_tiled_reduce']);
    expect(names('blocked').filter((n) => n.startsWith('conv2d_tiled'))).toEqual([]);
  });

  it('narrows the tile on the side with few channels', () => {
    expect(convTile(429, 70)).toEqual({ tm: 64, tn: 64 });
    expect(convTile(65536, 6)).toEqual({ tm: 256, tn: 16 });
    expect(convTile(65536, 20)).toEqual({ tm: 128, tn: 32 });
    expect(convTile(16, 145)).toEqual({ tm: 16, tn: 256 });
    expect(convTile(32, 289)).toEqual({ tm: 32, tn: 128 });
  });

  it('splits the weight gradient over the batch instead of one invocation looping over it', () => {
    // The chapter ResNet's 32 -> 32 3x3 conv at batch 64: 65,536 positions.
    const attrs = conv(1, 1);
    const geo = convGeometry(attrs, [64, 32, 32, 32], [32, 32, 3, 3], [64, 32, 32, 32]);
    const { chunkSize, chunks } = tiledWeightGradChunks(geo, true);
    expect(chunks).toBeGreaterThanOrEqual(32);
    expect(chunkSize * chunks).toBeGreaterThanOrEqual(64 * 32 * 32);
    expect(chunkSize * (chunks - 1)).toBeLessThan(64 * 32 * 32);
  });
});

describe('conv variant choice', () => {
  const adapter = (fields: Partial<AdapterSummary>): AdapterSummary => ({
    vendor: '',
    architecture: '',
    device: '',
    description: '',
    isFallbackAdapter: false,
    limits: {} as AdapterSummary['limits'],
    features: [],
    subgroupSize: null,
    ...fields,
  });

  it('picks workgroup-memory tiles on a hardware adapter', () => {
    const nvidia = adapter({ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200' });
    expect(isSoftwareAdapter(nvidia)).toBe(false);
    expect(chooseConvVariant(nvidia)).toBe('tiled');
    expect(chooseConvVariant(adapter({ vendor: 'apple', architecture: 'metal-3' }))).toBe('tiled');
    expect(chooseConvVariant(adapter({ vendor: 'amd', architecture: 'rdna-3' }))).toBe('tiled');
  });

  it('keeps the register-blocked kernels on software adapters', async () => {
    expect(chooseConvVariant(adapter({ vendor: 'google', architecture: 'swiftshader' }))).toBe('blocked');
    expect(chooseConvVariant(adapter({ description: 'llvmpipe (LLVM 15.0.6, 256 bits)' }))).toBe('blocked');
    expect(chooseConvVariant(adapter({ description: 'Microsoft Basic Render Driver' }))).toBe('blocked');
    expect(chooseConvVariant(adapter({ vendor: 'nvidia', isFallbackAdapter: true }))).toBe('blocked');
    // The adapter these tests run on.
    expect(chooseConvVariant((await gpu()).summary)).toBe('blocked');
  });

  it('shares loads across subgroups only for the blocked kernels and subgroups of exactly 4', async () => {
    expect(chooseSubgroupLoads({ subgroupSize: 4 }, 'blocked')).toBe(true);
    expect(chooseSubgroupLoads({ subgroupSize: 4 }, 'tiled')).toBe(false);
    expect(chooseSubgroupLoads({ subgroupSize: 32 }, 'blocked')).toBe(false);
    expect(chooseSubgroupLoads({ subgroupSize: null }, 'blocked')).toBe(false);
    // SwiftShader in Dawn runs subgroups of 4, so the conv tests here take the subgroup path.
    const { summary } = await gpu();
    expect(summary.features).toContain('subgroups');
    expect(chooseSubgroupLoads(summary, chooseConvVariant(summary))).toBe(true);
  });
});
