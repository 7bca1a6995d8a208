// AdaptiveAvgPool2d: averages to a fixed output size whatever the input size, as torch.nn.AdaptiveAvgPool2d.

import { dimsText, pair, pyPair } from './params.ts';
import { fail, needImage, ok } from './shapes.ts';
import type { LayerDef } from './types.ts';

export const AdaptiveAvgPool2d: LayerDef = {
  kind: 'AdaptiveAvgPool2d',
  category: 'pooling',
  summary: 'Averages to a fixed output size (1 x 1 is global average pooling).',
  params: {
    output_size: { type: 'pair', default: 1, min: 1, help: 'Height and width of the output.' },
  },
  arity: { min: 1, max: 1 },
  infer(inputs, params) {
    const input = inputs[0]!;
    const rank = needImage('AdaptiveAvgPool2d', input);
    if (rank) return fail(rank);
    const [oh, ow] = pair(params, 'output_size');
    return ok([input[0]!, oh, ow], params);
  },
  state: () => [],
  macs: () => 0,
  describe: (params) => `to ${dimsText(pair(params, 'output_size'))}`,
  torch: (params) => `nn.AdaptiveAvgPool2d(${pyPair(pair(params, 'output_size'))})`,
  lower: (b, p) => b.op('adaptive_avg_pool2d', { outputSize: pair(p, 'output_size') }, { x: b.inputs[0]! }),
};
