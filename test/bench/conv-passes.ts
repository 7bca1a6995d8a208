// One conv2d as three programs that each run one pass alone (forward, input gradient, weight gradient), with the
// pass's FLOPs: what the conv benches time. The backward variants keep only the gradients of their pass.

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
