// The one list of block presets (the palette's "blocks" section); each arrives as an editable group.

import { Bottleneck } from './bottleneck.ts';
import { Residual } from './residual.ts';
import type { BlockDef } from './types.ts';

export const BLOCKS: readonly BlockDef[] = [Residual, Bottleneck];

export function blockDef(kind: string): BlockDef | undefined {
  return BLOCKS.find((b) => b.kind === kind);
}
