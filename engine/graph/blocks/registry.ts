// The one list of block presets (the palette's "blocks" section); each arrives as an editable group.

import { Bottleneck } from './bottleneck.ts';
import { DenseLayer } from './dense-layer.ts';
import { Inception } from './inception.ts';
import { Residual } from './residual.ts';
import { Transition } from './transition.ts';
import type { BlockDef } from './types.ts';

export const BLOCKS: readonly BlockDef[] = [Residual, Bottleneck, Inception, DenseLayer, Transition];

export function blockDef(kind: string): BlockDef | undefined {
  return BLOCKS.find((b) => b.kind === kind);
}
