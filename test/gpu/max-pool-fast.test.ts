// max_pool2d's path for windows that tile the plane (kernel = stride, no padding or dilation: LeNet's 2x2
// stride 2), on odd planes whose last row and column no window reads, and ties, against the CPU backend.
// Fails, not skips, without an adapter.

import { describe, expect, it } from 'vitest';
import type { OpAttrs, Shape } from '../../engine/compile/ops.ts';
import type { TensorId } from '../../engine/compile/program.ts';
import { compileOp } from '../../engine/compile/single-op.ts';
import { cpuBackend } from '../../engine/cpu/backend.ts';
import { Random } from '../../engine/train/random.ts';
import { webgpuBackend } from '../../engine/webgpu/index.ts';
import { expectClose } from '../support/fixtures.ts';
import { sharedRuntime } from './fixture.ts';

const gpu = sharedRuntime();

const pool = (k: [number, number]): OpAttrs['max_pool2d'] => ({
  kernelSize: k,
  stride: k,
  padding: [0, 0],
  dilation: [1, 1],
  ceilMode: false,
});

const CASES: [string, OpAttrs['max_pool2d'], Shape, boolean][] = [
  ['2x2 stride 2 on 7x9 planes', pool([2, 2]), [3, 5, 7, 9], false],
  ['3x2 stride 3x2 on 11x5 planes', pool([3, 2]), [2, 3, 11, 5], false],
  ['2x2 stride 2 with ties (rounded values)', pool([2, 2]), [2, 4, 8, 6], true],
];

describe('max_pool2d on tiling windows agrees with the CPU backend', () => {
  it.each(CASES)('%s', async (_name, attrs, x, ties) => {
    const program = compileOp('max_pool2d', attrs, { x });
    const gpuExec = await webgpuBackend(await gpu()).bind(program);
    const cpuExec = await cpuBackend.bind(program);
    try {
      const rng = new Random(5);
      const count = (shape: Shape) => shape.reduce((a, b) => a * b, 1);
      const input = Float32Array.from({ length: count(x) }, () =>
        ties ? Math.round(rng.normal()) : rng.normal(),
      );
      const xId = (program.inputs as Record<string, TensorId>).x!;
      for (const exec of [gpuExec, cpuExec]) {
        exec.write(xId, input);
        exec.forward(0, true);
      }
      expectClose('output', await gpuExec.read(program.output), await cpuExec.read(program.output));
      const dy = Float32Array.from({ length: count(program.tensors[program.gradOutput]!.shape) }, () =>
        rng.normal(),
      );
      for (const exec of [gpuExec, cpuExec]) {
        exec.write(program.gradOutput, dy);
        exec.backward(0, true);
      }
      const grad = (program.grads as Record<string, TensorId>).x!;
      const [got, want] = [await gpuExec.read(grad), await cpuExec.read(grad)];
      expect(Array.from(got)).toEqual(Array.from(want));
    } finally {
      gpuExec.dispose();
    }
  });
});
