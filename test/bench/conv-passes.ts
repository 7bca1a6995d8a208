// One conv2d as three programs that each run one pass alone (forward, input gradient, weight gradient), with the
// pass's FLOPs, and the timing the conv benches print. The backward variants keep only the gradients of their pass.

import type { Backend } from '../../engine/compile/backend.ts';
import type { Conv2dAttrs, Shape } from '../../engine/compile/ops.ts';
import type { BackwardStep } from '../../engine/compile/program.ts';
import { compileOp } from '../../engine/compile/single-op.ts';
import { convFlops, convGeometry } from '../../engine/webgpu/index.ts';

type OpProgram = ReturnType<typeof compileOp>;
export type ConvPass = [name: string, flops: number, program: OpProgram];

export function convPasses(attrs: Conv2dAttrs, x: Shape, weight: Shape): ConvPass[] {
  const program = compileOp('conv2d', attrs, { x, weight, bias: [weight[0]!] });
  const step = program.backward[0] as BackwardStep<'conv2d'>;
  const grads = step.grads;
  const flops = convFlops(convGeometry(attrs, x, weight, program.tensors[program.output]!.shape));
  return [
    ['forward', flops.forward, { ...program, backward: [] }],
    ['input grad', flops.inputGrad, { ...program, backward: [{ ...step, grads: { x: grads.x } }] }],
    [
      'weight grad',
      flops.weightGrad,
      { ...program, backward: [{ ...step, grads: { weight: grads.weight, bias: grads.bias } }] },
    ],
  ];
}

/**
 * `pass GFLOP/s` for each pass on `backend`: one warm-up, then the median of `runs` timed runs, each clock stopped
 * after the GPU finished (flush).
 */
export async function passGflops(backend: Backend, passes: ConvPass[], runs: number): Promise<string[]> {
  const cells: string[] = [];
  for (const [pass, count, variant] of passes) {
    const exec = await backend.bind(variant);
    const run = () => (pass === 'forward' ? exec.forward(0, true) : exec.backward(0, true));
    run(); // warm-up
    await exec.flush();
    const times: number[] = [];
    for (let r = 0; r < runs; r++) {
      const start = performance.now();
      run();
      await exec.flush();
      times.push((performance.now() - start) / 1000);
    }
    exec.dispose();
    times.sort((a, b) => a - b);
    const mid = times.length >> 1;
    const median = times.length % 2 ? times[mid]! : (times[mid - 1]! + times[mid]!) / 2;
    cells.push(`${pass} ${(count / median / 1e9).toFixed(2)}`);
  }
  return cells;
}
