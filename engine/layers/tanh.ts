// Tanh: the hyperbolic tangent, as torch.nn.Tanh.

import { elementwise } from './elementwise.ts';

export const Tanh = elementwise({
  kind: 'Tanh',
  category: 'activation',
  summary: 'Hyperbolic tangent: squashes every value into (-1, 1).',
  params: {},
  torch: () => 'nn.Tanh()',
});
