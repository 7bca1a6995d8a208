// Dropout: random zeroing in training, identity in eval mode, as torch.nn.Dropout.

import { args, elementwise, inplaceArg, inplaceParam } from './elementwise.ts';
import { num } from './params.ts';

export const Dropout = elementwise({
  kind: 'Dropout',
  category: 'normalisation',
  summary:
    'In training, zeroes each value with probability p and scales the rest by 1/(1-p); eval mode passes values through.',
  params: {
    p: { type: 'float', default: 0.5, min: 0, max: 1, help: 'Probability of zeroing a value.' },
    inplace: inplaceParam,
  },
  describe: (p) => `p=${num(p, 'p')}`,
  torch: (p) => `nn.Dropout(${args(num(p, 'p') !== 0.5 ? `p=${num(p, 'p')}` : '', inplaceArg(p))})`,
});
