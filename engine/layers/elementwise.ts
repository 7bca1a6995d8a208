// What element-wise layers share: the shape passes through, no state, no multiply-adds.

import { bool } from './params.ts';
import { ok } from './shapes.ts';
import type { LayerDef, Params } from './types.ts';

export const inplaceParam = {
  type: 'bool',
  default: false,
  help: 'Overwrite the input to save memory (PyTorch inplace=True).',
} as const;

/** Joins non-empty constructor arguments: `inplace=True` only when set. */
export function args(...parts: string[]): string {
  return parts.filter(Boolean).join(', ');
}

export function inplaceArg(p: Params): string {
  return bool(p, 'inplace') ? 'inplace=True' : '';
}

type Elementwise = Pick<LayerDef, 'kind' | 'category' | 'summary' | 'params' | 'torch'> &
  Partial<Pick<LayerDef, 'describe'>>;

export function elementwise(def: Elementwise): LayerDef {
  return {
    describe: () => '',
    ...def,
    arity: { min: 1, max: 1 },
    infer: (inputs, p) => ok(inputs[0]!, p),
    state: () => [],
    macs: () => 0,
  };
}
