// Dropout: random zeroing in training, identity in eval mode, as torch.nn.Dropout.

import { args, elementwise, inplaceArg, inplaceParam } from './elementwise.ts';
import { num } from './params.ts';
import type { LayerDef } from './types.ts';

export const Dropout: LayerDef = {
  ...elementwise({
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
  }),
  // NOTE: eval programs (and p = 0) see the input itself, a view; a train program runs the op, which copies
  // in eval mode, because one train program also runs validation.
  lower(b, params) {
    const x = b.inputs[0]!;
    const p = num(params, 'p');
    const random = b.random();
    if (!random || p === 0) return b.view(x, x.shape);
    return b.op('dropout', { p, stream: random.stream }, { x, key: random.key });
  },
};
