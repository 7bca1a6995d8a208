// ReLU: max(0, x), as torch.nn.ReLU.

import { args, elementwise, inplaceArg, inplaceParam } from './elementwise.ts';

export const ReLU = elementwise({
  kind: 'ReLU',
  category: 'activation',
  summary: 'max(0, x): zeroes negative responses; the shape is unchanged.',
  params: { inplace: inplaceParam },
  torch: (p) => `nn.ReLU(${args(inplaceArg(p))})`,
});
