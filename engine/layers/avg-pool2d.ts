// AvgPool2d: averages each window, as torch.nn.AvgPool2d.

import { bool, pair } from './params.ts';
import { describePool, inferPool, poolKeywords, poolStride, windowParams } from './pooling.ts';
import type { LayerDef } from './types.ts';

export const AvgPool2d: LayerDef = {
  kind: 'AvgPool2d',
  category: 'pooling',
  summary: 'Averages each window; channels are unchanged.',
  params: {
    ...windowParams,
    count_include_pad: { type: 'bool', default: true, help: 'Count padded zeros in the average.' },
  },
  arity: { min: 1, max: 1 },
  infer: (inputs, params) => inferPool('AvgPool2d', inputs[0]!, params, [1, 1]),
  state: () => [],
  macs: () => 0,
  describe: describePool,
  torch(params) {
    const parts = poolKeywords(params);
    if (!bool(params, 'count_include_pad')) parts.push('count_include_pad=False');
    return `nn.AvgPool2d(${parts.join(', ')})`;
  },
  lower: (b, p) =>
    b.op(
      'avg_pool2d',
      {
        kernelSize: pair(p, 'kernel_size'),
        stride: poolStride(p),
        padding: pair(p, 'padding'),
        ceilMode: bool(p, 'ceil_mode'),
        countIncludePad: bool(p, 'count_include_pad'),
      },
      { x: b.inputs[0]! },
    ),
};
