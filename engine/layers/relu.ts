// ReLU: max(0, x), as torch.nn.ReLU.

import { args, elementwise, inplaceArg, inplaceParam } from './elementwise.ts';
import type { LayerDef } from './types.ts';

export const ReLU: LayerDef = {
  ...elementwise({
    kind: 'ReLU',
    category: 'activation',
    summary: 'max(0, x): zeroes negative responses; the shape is unchanged.',
    params: { inplace: inplaceParam },
    torch: (p) => `nn.ReLU(${args(inplaceArg(p))})`,
  }),
  lower: (b) => b.op('relu', {}, { x: b.inputs[0]! }),
};
