// Concat: joins two or more tensors along channels (torch.cat(dim=1)), as in Inception and DenseNet.

import { PROBLEMS } from '../problems.ts';
import { fail, ok, shapeText } from './shapes.ts';
import type { LayerDef } from './types.ts';

export const Concat: LayerDef = {
  kind: 'Concat',
  category: 'merge',
  summary: 'Stacks its inputs along the channel dimension; height and width must match.',
  params: {},
  arity: { min: 2, max: 64 },
  infer(inputs, params) {
    const first = inputs[0]!;
    let channels = 0;
    for (let i = 0; i < inputs.length; i++) {
      const other = inputs[i]!;
      const rest = other.slice(1);
      const spatialMismatch = other.length !== first.length || rest.some((d, k) => d !== first[k + 1]);
      if (spatialMismatch)
        return fail({
          code: PROBLEMS.concatMismatch.code,
          input: i,
          message:
            other.length !== first.length
              ? `Concat needs inputs of the same rank, but input 1 is ${shapeText(first)} and input ${i + 1} is ${shapeText(other)}.`
              : `Concat joins channels, so every other size must match: input 1 is ${shapeText(first)}, input ${i + 1} is ${shapeText(other)}. Change padding or stride on one branch so the sizes agree.`,
          expected: first.length > 1 ? `C x ${first.slice(1).join(' x ')}` : 'a flat vector',
          arrived: shapeText(other),
        });
      channels += other[0]!;
    }
    return ok([channels, ...first.slice(1)], params);
  },
  state: () => [],
  macs: () => 0,
  describe: () => 'on channels',
  torch: () => '',
  lower: (b) => b.op('concat', {}, { xs: b.inputs }),
};
