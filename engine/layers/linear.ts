// Linear: a fully connected layer y = x W^T + b, as torch.nn.Linear.

import { PROBLEMS } from '../problems.ts';
import { bool, int } from './params.ts';
import { fail, numel, ok, shapeText } from './shapes.ts';
import type { LayerDef } from './types.ts';

export const Linear: LayerDef = {
  kind: 'Linear',
  category: 'linear',
  summary: 'Fully connected: every output is a weighted sum of every input feature.',
  params: {
    in_features: {
      type: 'int',
      default: 'auto',
      min: 1,
      auto: true,
      help: 'Size of the input vector; auto takes it from the input.',
    },
    out_features: { type: 'int', default: 10, min: 1, help: 'Size of the output vector.' },
    bias: { type: 'bool', default: true, help: 'Learn an additive bias per output.' },
  },
  arity: { min: 1, max: 1 },
  infer(inputs, params) {
    const input = inputs[0]!;
    if (input.length !== 1)
      return fail({
        code: PROBLEMS.needsFlatInput.code,
        input: 0,
        message: `Linear needs a flat vector, but a ${shapeText(input)} tensor arrives. Insert a Flatten before it (it will then get ${numel(input)} features).`,
        expected: 'a flat vector of features',
        arrived: shapeText(input),
        fix: { kind: 'insertBefore', layer: 'Flatten', label: 'Insert Flatten' },
      });
    const f = input[0]!;
    const declared = params.in_features;
    if (declared !== 'auto' && declared !== f)
      return fail({
        code: PROBLEMS.featureMismatch.code,
        param: 'in_features',
        input: 0,
        message: `Linear expects ${declared} input features (in_features), but ${f} arrive. Set in_features to ${f}, or to auto.`,
        expected: `${declared} features`,
        arrived: `${f} features`,
        fix: { kind: 'setParam', param: 'in_features', value: f, label: `Set in_features to ${f}` },
      });
    return ok([int(params, 'out_features')], { ...params, in_features: f });
  },
  state(params) {
    const fin = int(params, 'in_features');
    const fout = int(params, 'out_features');
    const bound = 1 / Math.sqrt(fin);
    const init = { kind: 'uniform', bound } as const;
    return [
      { name: 'weight', shape: [fout, fin], dtype: 'float32', role: 'parameter', init },
      ...(bool(params, 'bias')
        ? [{ name: 'bias', shape: [fout], dtype: 'float32', role: 'parameter', init } as const]
        : []),
    ];
  },
  macs: (params) => int(params, 'in_features') * int(params, 'out_features'),
  describe: (params) =>
    `${params.in_features === 'auto' ? 'auto' : params.in_features} -> ${params.out_features}`,
  torch: (params) =>
    `nn.Linear(${int(params, 'in_features')}, ${int(params, 'out_features')}${bool(params, 'bias') ? '' : ', bias=False'})`,
  lower: (b, p) =>
    b.op(
      'linear',
      { bias: bool(p, 'bias') },
      { x: b.inputs[0]!, weight: b.state('weight'), ...(bool(p, 'bias') ? { bias: b.state('bias') } : {}) },
    ),
};
