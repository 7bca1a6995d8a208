// Reshape: views each sample with a new shape (one -1 is inferred), as x.view(x.size(0), *shape).

import { PROBLEMS } from '../problems.ts';
import { ints } from './params.ts';
import { fail, numel, ok, shapeText } from './shapes.ts';
import type { LayerDef } from './types.ts';

export const Reshape: LayerDef = {
  kind: 'Reshape',
  category: 'shape',
  summary: 'Gives each sample a new shape with the same number of values, e.g. 784 -> 1 x 28 x 28.',
  params: {
    shape: {
      type: 'ints',
      default: [-1],
      min: -1,
      minLength: 1,
      maxLength: 3,
      help: 'New shape of one sample, without the batch; one entry may be -1 (inferred).',
    },
  },
  arity: { min: 1, max: 1 },
  view: true,
  infer(inputs, params) {
    const input = inputs[0]!;
    const target = ints(params, 'shape');
    const total = numel(input);
    const unknown = target.filter((d) => d === -1).length;
    const known = target.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    const badEntry = target.some((d) => d === 0 || d < -1);
    if (badEntry || unknown > 1)
      return fail({
        code: PROBLEMS.badParam.code,
        param: 'shape',
        message: 'Reshape shape entries must be positive, with at most one -1.',
        expected: 'positive sizes, at most one -1',
        arrived: `[${target.join(', ')}]`,
      });
    if ((unknown === 0 && known !== total) || (unknown === 1 && total % known !== 0))
      return fail({
        code: PROBLEMS.reshapeMismatch.code,
        param: 'shape',
        message: `Reshape to [${target.join(', ')}] needs ${unknown ? `a multiple of ${known}` : known} values, but each sample has ${total} (${shapeText(input)}).`,
        expected: unknown ? `a multiple of ${known} values` : `${known} values`,
        arrived: `${total} values`,
      });
    return ok(
      target.map((d) => (d === -1 ? total / known : d)),
      params,
    );
  },
  state: () => [],
  macs: () => 0,
  describe: (params) => `to [${ints(params, 'shape').join(', ')}]`,
  torch: (params) => `Reshape(${ints(params, 'shape').join(', ')})`,
  lower: (b) => b.view(b.inputs[0]!, [b.batchSize, ...b.output]),
};
