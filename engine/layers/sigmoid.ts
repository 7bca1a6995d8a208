// Sigmoid: 1 / (1 + e^-x), as torch.nn.Sigmoid.

import { elementwise } from './elementwise.ts';
import type { LayerDef } from './types.ts';

export const Sigmoid: LayerDef = {
  ...elementwise({
    kind: 'Sigmoid',
    category: 'activation',
    summary: '1 / (1 + e^-x): squashes every value into (0, 1).',
    params: {},
    torch: () => 'nn.Sigmoid()',
  }),
  lower: (b) => b.op('sigmoid', {}, { x: b.inputs[0]! }),
};
