// The contract every layer kind fulfils: parameter schema, shape rule, PyTorch state and cost.

import type { Lowering, Value } from '../compile/lowering.ts';

/** A tensor shape without the batch dimension: [C, H, W] for images, [F] for vectors. */
export type Shape = readonly number[];

/** One parameter value as stored in a project file. `'auto'` is resolved from the input. */
export type ParamValue = number | boolean | string | readonly number[] | null;
export type Params = Readonly<Record<string, ParamValue>>;

/** Where a kind sits in the palette and which accent colour its node gets. */
export type Category =
  | 'input'
  | 'convolution'
  | 'pooling'
  | 'normalisation'
  | 'activation'
  | 'linear'
  | 'merge'
  | 'shape'
  | 'output';

interface SpecBase {
  /** One line shown in the inspector. */
  help: string;
}

/** Schema of one parameter; the inspector draws its form from this. */
export type ParamSpec =
  | (SpecBase & { type: 'int'; default: number | 'auto'; min?: number; max?: number; auto?: boolean })
  | (SpecBase & { type: 'float'; default: number | null; min?: number; max?: number; nullable?: boolean })
  | (SpecBase & { type: 'bool'; default: boolean })
  | (SpecBase & { type: 'enum'; options: readonly string[]; default: string })
  /** An int or an (h, w) pair, like PyTorch's `kernel_size`; `nullable` allows None. */
  | (SpecBase & {
      type: 'pair';
      default: number | readonly [number, number] | null;
      min: number;
      nullable?: boolean;
    })
  /** A list of ints, like a shape. */
  | (SpecBase & {
      type: 'ints';
      default: readonly number[];
      min: number;
      minLength: number;
      maxLength: number;
    })
  /** A list of numbers, like a loss's per-class weights; `nullable` allows None (and an empty list means None). */
  | (SpecBase & {
      type: 'floats';
      default: readonly number[] | null;
      min?: number;
      nullable?: boolean;
    });

/** A fix a layer proposes for its own problem, in layer terms; the graph turns it into edits. */
export type LayerFix =
  | { kind: 'setParam'; param: string; value: ParamValue; label: string }
  | { kind: 'insertBefore'; layer: string; params?: Params; label: string }
  /** Change a parameter of the node feeding `input`, if it is of kind `sourceKind`. */
  | {
      kind: 'setSourceParam';
      input: number;
      sourceKind: string;
      param: string;
      value: ParamValue;
      label: string;
    };

/** What a layer says when its inputs or parameters do not fit. */
export interface LayerIssue {
  /** Stable code from engine/graph/problems.ts. */
  code: string;
  message: string;
  /** The parameter at fault, if one is. */
  param?: string;
  /** The input port at fault, if one is. */
  input?: number;
  expected?: string;
  arrived?: string;
  fix?: LayerFix;
}

export type Inference = { ok: true; output: Shape; resolved: Params } | { ok: false; issue: LayerIssue };

/** How a tensor of the layer's state starts, as PyTorch's `reset_parameters` does it. */
export type Init = { kind: 'uniform'; bound: number } | { kind: 'ones' } | { kind: 'zeros' };

/** One entry of the layer's `state_dict`: a parameter (trained) or a buffer (tracked). */
export interface StateEntry {
  name: string;
  shape: Shape;
  dtype: 'float32' | 'int64';
  role: 'parameter' | 'buffer';
  init: Init;
}

/** Everything a layer kind knows about itself, once. */
export interface LayerDef {
  kind: string;
  category: Category;
  /** What it does, one sentence, for the palette tooltip. */
  summary: string;
  params: Readonly<Record<string, ParamSpec>>;
  /** How many inputs it takes. Inputs are ordered by port. */
  arity: { min: number; max: number };
  /** Shape rule: input shapes + params -> output shape with `auto` params resolved, or an issue. */
  infer(inputs: readonly Shape[], params: Params): Inference;
  /** PyTorch state (parameters then buffers, in PyTorch's order), from resolved params. */
  state(params: Params, inputs: readonly Shape[]): StateEntry[];
  /** Multiply-accumulate operations per sample. */
  macs(params: Params, inputs: readonly Shape[], output: Shape): number;
  /** A compact line of key parameters for the node face, e.g. `5x5 s1 p2, 6 ch`. */
  describe(params: Params): string;
  /** PyTorch constructor for code export, from resolved params, e.g. `nn.Conv2d(1, 6, kernel_size=5)`. */
  torch(params: Params): string;
  /**
   * The primitive ops (engine/compile/ops.ts) this layer runs as, from resolved params; returns the
   * layer's output. Absent for kinds the engine cannot train yet.
   */
  lower?(b: Lowering, params: Params): Value;
  /** The output is a view of the input (same memory, no copy), like Flatten: it costs no activation memory. */
  view?: boolean;
}
