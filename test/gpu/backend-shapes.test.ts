// Ops on the WebGPU backend at shapes the PyTorch fixtures do not reach, against the CPU backend: each conv
// kernel path (unroll units and their remainders, the stride-1 input gradient as a forward conv, the strided
// gather, groups, dilation, large padding), BatchNorm's large-plane grid, pooling on odd planes, element
// counts that are not multiples of 4, and the grid-stride loops. Fails, not skips, without an adapter.

import { describe, expect, it } from 'vitest';
import type { OpAttrs, OpName, Shape } from '../../engine/compile/ops.ts';
import type { TensorId } from '../../engine/compile/program.ts';
import { compileOp } from '../../engine/compile/single-op.ts';
import { cpuBackend } from '../../engine/cpu/backend.ts';
import { Random } from '../../engine/train/random.ts';
import { type WebGpuBackendOptions, webgpuBackend } from '../../engine/webgpu/index.ts';
import { expectClose } from '../support/fixtures.ts';
import { sharedRuntime } from './fixture.ts';

// NOTE: no skip when WebGPU is missing: opening the runtime throws a GpuError and every test here fails.
const gpu = sharedRuntime();

const conv = (stride: number, padding: number, dilation = 1, groups = 1, bias = true): OpAttrs['conv2d'] => ({
  stride: [stride, stride],
  padding: [padding, padding],
  dilation: [dilation, dilation],
  groups,
  bias,
});
const bn = { eps: 1e-5, momentum: 0.1, affine: true, trackRunningStats: true };
const maxPool = (k: number, s: number, p: number, ceilMode = false): OpAttrs['max_pool2d'] => ({
  kernelSize: [k, k],
  stride: [s, s],
  padding: [p, p],
  dilation: [1, 1],
  ceilMode,
});

type Case = [
  name: string,
  op: OpName,
  attrs: object,
  shapes: Record<string, Shape | Shape[]>,
  training?: boolean,
  options?: WebGpuBackendOptions,
];
const CASES: Case[] = [
  [
    'conv 3x3 Cg 20 -> 20 (16 + 4 channel blocks)',
    'conv2d',
    conv(1, 1),
    { x: [2, 20, 9, 7], weight: [20, 20, 3, 3], bias: [20] },
  ],
  [
    'conv 1x1 Cg 9 (4 channels a trip + remainder)',
    'conv2d',
    conv(1, 0),
    { x: [3, 9, 5, 6], weight: [10, 9, 1, 1], bias: [10] },
  ],
  [
    'conv 1x1 padding 1 (gather input grad)',
    'conv2d',
    conv(1, 1),
    { x: [2, 5, 4, 4], weight: [6, 5, 1, 1], bias: [6] },
  ],
  [
    'conv 5x5 no bias (row unroll)',
    'conv2d',
    conv(1, 2, 1, 1, false),
    { x: [2, 3, 11, 10], weight: [7, 3, 5, 5] },
  ],
  [
    'conv 3x3 dilation 2 padding 2',
    'conv2d',
    conv(1, 2, 2),
    { x: [2, 4, 9, 9], weight: [5, 4, 3, 3], bias: [5] },
  ],
  [
    'conv 3x3 groups 3 stride 1',
    'conv2d',
    conv(1, 1, 1, 3),
    { x: [2, 6, 7, 8], weight: [9, 2, 3, 3], bias: [9] },
  ],
  ['conv 3x3 stride 2 Cg 12', 'conv2d', conv(2, 1), { x: [2, 12, 9, 8], weight: [18, 12, 3, 3], bias: [18] }],
  [
    'conv 3x3 groups 2 dilation 2, 8 -> 10 channels a group (channels-last passes)',
    'conv2d',
    conv(1, 2, 2, 2),
    { x: [2, 16, 9, 8], weight: [20, 8, 3, 3], bias: [20] },
  ],
  [
    'the same without subgroup loads (adapters without subgroups of 4)',
    'conv2d',
    conv(1, 2, 2, 2),
    { x: [2, 16, 9, 8], weight: [20, 8, 3, 3], bias: [20] },
    true,
    { subgroupLoads: false },
  ],
  ['batch_norm 2d train, 32x32 planes', 'batch_norm', bn, bnShapes([3, 5, 32, 32]), true],
  ['batch_norm 2d eval, 9x10 planes', 'batch_norm', bn, bnShapes([4, 3, 9, 10]), false],
  // 8 workgroups a sample plane: 32 along z for 40 samples, so invocations loop over one or two samples.
  ['batch_norm 2d train, 40 samples of 8 16x16 planes', 'batch_norm', bn, bnShapes([40, 8, 16, 16]), true],
  ['max_pool2d 3x3 s2 p1 ceil on 17x17', 'max_pool2d', maxPool(3, 2, 1, true), { x: [2, 3, 17, 17] }],
  ['relu on 1001 values', 'relu', {}, { x: [7, 11, 13] }],
  [
    'add on 1001 values',
    'add',
    {},
    {
      xs: [
        [7, 11, 13],
        [7, 11, 13],
      ],
    },
  ],
];

function bnShapes(x: Shape): Record<string, Shape> {
  const c = [x[1]!];
  return { x, weight: c, bias: c, running_mean: c, running_var: c, num_batches_tracked: [1] };
}

function values(rng: Random, name: string, shape: Shape): Float32Array | Int32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  if (name === 'num_batches_tracked') return new Int32Array(n);
  if (name === 'running_var') return Float32Array.from({ length: n }, () => 0.5 + rng.float());
  return Float32Array.from({ length: n }, () => rng.normal());
}

describe('WebGPU ops agree with the CPU backend beyond the fixtures', () => {
  it.each(CASES)('%s', async (_name, op, attrs, shapes, training = true, options = {}) => {
    const program = compileOp(op, attrs as never, shapes as never);
    // maxWorkgroups 2: the conv kernels' grid-stride loops run more than one trip.
    const [gpuExec, cpuExec] = [
      await webgpuBackend(await gpu(), { maxWorkgroups: 2, ...options }).bind(program),
      await cpuBackend.bind(program),
    ];
    try {
      const rng = new Random(shapes.x ? 1 : 2);
      const inputs = program.inputs as Record<string, TensorId | TensorId[]>;
      for (const [name, ids] of Object.entries(inputs))
        for (const id of [ids].flat()) {
          const data = values(rng, name, program.tensors[id]!.shape);
          for (const exec of [gpuExec, cpuExec]) exec.write(id, data);
        }
      for (const exec of [gpuExec, cpuExec]) exec.forward(0, training);
      expectClose('output', await gpuExec.read(program.output), await cpuExec.read(program.output));
      // Inputs the forward updates (running statistics, the batch counter) and the rest, unchanged.
      for (const [name, id] of Object.entries(inputs)) {
        if (Array.isArray(id)) continue;
        const [got, want] = [await gpuExec.read(id), await cpuExec.read(id)];
        if (want instanceof Int32Array)
          expect(Array.from(got), `${name} after forward`).toEqual(Array.from(want));
        else expectClose(`${name} after forward`, got, want);
      }
      const dy = values(rng, 'dy', program.tensors[program.gradOutput]!.shape);
      for (const exec of [gpuExec, cpuExec]) {
        exec.write(program.gradOutput, dy);
        exec.backward(0, training);
      }
      for (const [name, ids] of Object.entries(program.grads as Record<string, TensorId | TensorId[]>))
        for (const [i, id] of [ids].flat().entries())
          expectClose(`grad ${name} ${i}`, await gpuExec.read(id), await cpuExec.read(id));
    } finally {
      gpuExec.dispose();
    }
  });
});
