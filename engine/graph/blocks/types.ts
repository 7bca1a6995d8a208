// The contract of a block preset: a named, editable group of layers built from a few parameters.

import type { ParamSpec, Params } from '../../layers/types.ts';
import type { GraphBuilder } from '../builder.ts';

export interface BlockDef {
  kind: string;
  summary: string;
  params: Readonly<Record<string, ParamSpec>>;
  /** Adds the block as a group called `name`, fed by node `input`; returns the id of its output node. */
  build(b: GraphBuilder, input: string, params: Params, name: string): string;
}
