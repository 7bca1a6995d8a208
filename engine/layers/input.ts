// Input: where images (C x H x W) or flat feature vectors enter the network.

import { ints } from './params.ts';
import { ok, shapeText } from './shapes.ts';
import type { LayerDef } from './types.ts';

export const Input: LayerDef = {
  kind: 'Input',
  category: 'input',
  summary: 'Where data enters: an image C x H x W, or a flat vector of features.',
  params: {
    shape: {
      type: 'ints',
      default: [1, 28, 28],
      min: 1,
      minLength: 1,
      maxLength: 3,
      help: 'Shape of one sample without the batch: [C, H, W] for images, [F] for vectors.',
    },
  },
  arity: { min: 0, max: 0 },
  infer: (_inputs, params) => ok(ints(params, 'shape'), params),
  state: () => [],
  macs: () => 0,
  describe: (params) => shapeText(ints(params, 'shape')),
  torch: () => '',
  lower: (b) => b.batch(),
};
