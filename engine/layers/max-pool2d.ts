// MaxPool2d: keeps the largest value of each window, as torch.nn.MaxPool2d.

import { bool, pair, pyPair } from './params.ts';
import { describePool, inferPool, poolKeywords, poolStride, windowParams } from './pooling.ts';
import type { LayerDef } from './types.ts';

export const MaxPool2d: LayerDef = {
  kind: 'MaxPool2d',
  category: 'pooling',
  summary: 'Keeps the largest value in each window; channels are unchanged.',
  params: {
    ...windowParams,
    dilation: { type: 'pair', default: 1, min: 1, help: 'Spacing between window taps.' },
  },
  arity: { min: 1, max: 1 },
  infer: (inputs, params) => inferPool('MaxPool2d', inputs[0]!, params, pair(params, 'dilation')),
  state: () => [],
  macs: () => 0,
  describe: describePool,
  torch(params) {
    const parts = poolKeywords(params);
    const d = pair(params, 'dilation');
    if (d[0] !== 1 || d[1] !== 1) parts.push(`dilation=${pyPair(d)}`);
    return `nn.MaxPool2d(${parts.join(', ')})`;
  },
  lower: (b, p) =>
    b.op(
      'max_pool2d',
      {
        kernelSize: pair(p, 'kernel_size'),
        stride: poolStride(p),
        padding: pair(p, 'padding'),
        dilation: pair(p, 'dilation'),
        ceilMode: bool(p, 'ceil_mode'),
      },
      { x: b.inputs[0]! },
    ),
};
