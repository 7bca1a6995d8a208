// What BatchNorm1d and BatchNorm2d share: parameters, state, shape rule and constructor text.

import { PROBLEMS } from '../problems.ts';
import { bool, int, num } from './params.ts';
import { channelMismatch, fail, ok, shapeText } from './shapes.ts';
import type { LayerDef, Params, StateEntry } from './types.ts';

const params = {
  num_features: {
    type: 'int',
    default: 'auto',
    min: 1,
    auto: true,
    help: 'Channels C; auto takes them from the input.',
  },
  eps: { type: 'float', default: 1e-5, min: 0, help: 'Added to the variance for numerical stability.' },
  momentum: {
    type: 'float',
    default: 0.1,
    min: 0,
    max: 1,
    help: 'Weight of the newest batch in the running statistics.',
  },
  affine: { type: 'bool', default: true, help: 'Learn a scale (weight) and shift (bias) per channel.' },
  track_running_stats: { type: 'bool', default: true, help: 'Keep running mean and variance for eval mode.' },
} as const;

function state(p: Params): StateEntry[] {
  const c = int(p, 'num_features');
  const entries: StateEntry[] = [];
  if (bool(p, 'affine')) {
    entries.push({ name: 'weight', shape: [c], dtype: 'float32', role: 'parameter', init: { kind: 'ones' } });
    entries.push({ name: 'bias', shape: [c], dtype: 'float32', role: 'parameter', init: { kind: 'zeros' } });
  }
  if (bool(p, 'track_running_stats')) {
    entries.push({
      name: 'running_mean',
      shape: [c],
      dtype: 'float32',
      role: 'buffer',
      init: { kind: 'zeros' },
    });
    entries.push({
      name: 'running_var',
      shape: [c],
      dtype: 'float32',
      role: 'buffer',
      init: { kind: 'ones' },
    });
    entries.push({
      name: 'num_batches_tracked',
      shape: [],
      dtype: 'int64',
      role: 'buffer',
      init: { kind: 'zeros' },
    });
  }
  return entries;
}

function torch(kind: string, p: Params): string {
  const parts = [String(int(p, 'num_features'))];
  if (num(p, 'eps') !== 1e-5) parts.push(`eps=${num(p, 'eps')}`);
  if (num(p, 'momentum') !== 0.1) parts.push(`momentum=${num(p, 'momentum')}`);
  if (!bool(p, 'affine')) parts.push('affine=False');
  if (!bool(p, 'track_running_stats')) parts.push('track_running_stats=False');
  return `nn.${kind}(${parts.join(', ')})`;
}

export function batchNorm(kind: 'BatchNorm1d' | 'BatchNorm2d', ranks: number[], form: string): LayerDef {
  return {
    kind,
    category: 'normalisation',
    summary: `Normalises each channel of ${form} with batch statistics in training and running ones in eval mode.`,
    params,
    arity: { min: 1, max: 1 },
    infer(inputs, p) {
      const input = inputs[0]!;
      if (!ranks.includes(input.length))
        return fail({
          code: PROBLEMS.wrongRank.code,
          input: 0,
          message:
            kind === 'BatchNorm2d'
              ? `BatchNorm2d needs a C x H x W image, but ${shapeText(input)} arrives. Use BatchNorm1d for flat vectors.`
              : `BatchNorm1d needs C or C x L features, but ${shapeText(input)} arrives. Use BatchNorm2d for images.`,
          expected: form,
          arrived: shapeText(input),
        });
      const c = input[0]!;
      const declared = p.num_features;
      if (declared !== 'auto' && declared !== c)
        return fail(channelMismatch(kind, 'num_features', declared as number, c, input));
      return ok(input, { ...p, num_features: c });
    },
    state,
    macs: () => 0,
    describe: (p) => (p.num_features === 'auto' ? 'auto' : `${p.num_features} ch`),
    torch: (p) => torch(kind, p),
    lower(b, p) {
      const affine = bool(p, 'affine');
      const trackRunningStats = bool(p, 'track_running_stats');
      return b.op(
        'batch_norm',
        { eps: num(p, 'eps'), momentum: num(p, 'momentum'), affine, trackRunningStats },
        {
          x: b.inputs[0]!,
          ...(affine ? { weight: b.state('weight'), bias: b.state('bias') } : {}),
          ...(trackRunningStats
            ? {
                running_mean: b.state('running_mean'),
                running_var: b.state('running_var'),
                num_batches_tracked: b.state('num_batches_tracked'),
              }
            : {}),
        },
      );
    },
  };
}
