// Tanh: the hyperbolic tangent, as torch.nn.Tanh.

import { elementwise } from './elementwise.ts';
import type { LayerDef } from './types.ts';

export const Tanh: LayerDef = {
  ...elementwise({
    kind: 'Tanh',
    category: 'activation',
    summary: 'Hyperbolic tangent: squashes every value into (-1, 1).',
    params: {},
    torch: () => 'nn.Tanh()',
  }),
  lower: (b) => b.op('tanh', {}, { x: b.inputs[0]! }),
};
