// Softmax: turns scores into probabilities along one dimension, as torch.nn.Softmax.

import { PROBLEMS } from '../problems.ts';
import { int } from './params.ts';
import { fail, ok, shapeText } from './shapes.ts';
import type { LayerDef } from './types.ts';

export const Softmax: LayerDef = {
  kind: 'Softmax',
  category: 'activation',
  summary:
    'e^x / sum(e^x) along a dimension: scores become probabilities. Not needed before the Output (the loss applies it).',
  params: {
    dim: {
      type: 'int',
      default: 1,
      min: -4,
      max: 3,
      help: 'Dimension to normalise, counted with the batch (1 is channels or features).',
    },
  },
  arity: { min: 1, max: 1 },
  infer(inputs, params) {
    const input = inputs[0]!;
    const dim = int(params, 'dim');
    const rank = input.length + 1;
    if (dim === 0 || dim === -rank || dim >= rank || dim < -rank)
      return fail({
        code: PROBLEMS.badParam.code,
        param: 'dim',
        message: `Softmax dim ${dim} does not fit a batch of ${shapeText(input)} samples; use 1 to normalise over ${input.length === 1 ? 'features' : 'channels'}.`,
        expected: `a dimension from 1 to ${rank - 1}`,
        arrived: String(dim),
      });
    return ok(input, params);
  },
  state: () => [],
  macs: () => 0,
  describe: (params) => `dim ${params.dim}`,
  torch: (params) => `nn.Softmax(dim=${int(params, 'dim')})`,
  lower(b, params) {
    const x = b.inputs[0]!;
    const dim = int(params, 'dim');
    // NOTE: the engine's softmax op normalises dimension 1 (dim 1 - rank names it from the end).
    if (dim !== 1 && dim !== 1 - x.shape.length)
      throw new Error(`Softmax: the engine trains softmax along dim 1 only, not dim ${dim}`);
    return b.op('softmax', {}, { x });
  },
};
