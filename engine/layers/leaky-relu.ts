// LeakyReLU: x, or negative_slope * x below zero, as torch.nn.LeakyReLU.

import { args, elementwise, inplaceArg, inplaceParam } from './elementwise.ts';
import { num } from './params.ts';
import type { LayerDef } from './types.ts';

export const LeakyReLU: LayerDef = {
  ...elementwise({
    kind: 'LeakyReLU',
    category: 'activation',
    summary: 'x for x >= 0 and negative_slope * x below: lets a little gradient through.',
    params: {
      negative_slope: { type: 'float', default: 0.01, help: 'Slope for negative inputs.' },
      inplace: inplaceParam,
    },
    describe: (p) => `slope ${num(p, 'negative_slope')}`,
    torch: (p) =>
      `nn.LeakyReLU(${args(num(p, 'negative_slope') !== 0.01 ? `negative_slope=${num(p, 'negative_slope')}` : '', inplaceArg(p))})`,
  }),
  lower: (b, p) => b.op('leaky_relu', { negativeSlope: num(p, 'negative_slope') }, { x: b.inputs[0]! }),
};
