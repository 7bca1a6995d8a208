// Add: element-wise sum of two or more tensors of one shape, the merge of a residual connection.

import { PROBLEMS } from '../problems.ts';
import { fail, ok, shapeText } from './shapes.ts';
import type { LayerDef } from './types.ts';

export const Add: LayerDef = {
  kind: 'Add',
  category: 'merge',
  summary: 'Sums its inputs element by element (out = x + shortcut); all inputs must have one shape.',
  params: {},
  arity: { min: 2, max: 8 },
  infer(inputs, params) {
    const first = inputs[0]!;
    for (let i = 1; i < inputs.length; i++) {
      const other = inputs[i]!;
      if (other.length !== first.length || other.some((d, k) => d !== first[k]))
        return fail({
          code: PROBLEMS.addMismatch.code,
          input: i,
          message: `Add needs inputs of one shape, but input 1 is ${shapeText(first)} and input ${i + 1} is ${shapeText(other)}. Add a 1x1 convolution (with the right stride) on the shortcut so the shapes meet.`,
          expected: shapeText(first),
          arrived: shapeText(other),
        });
    }
    return ok(first, params);
  },
  state: () => [],
  macs: () => 0,
  describe: () => '',
  torch: () => '',
  lower: (b) => b.op('add', {}, { xs: b.inputs }),
};
