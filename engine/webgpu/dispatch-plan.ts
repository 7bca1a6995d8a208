// What each op's GPU kernel returns: a plan of dispatches (kernel spec, bindings, grid) that the executor
// turns into pipelines, buffers and bind groups once, when a program is bound.

import type { OpName, Shape } from '../compile/ops.ts';
import type {
  AnyBackwardStep,
  AnyForwardStep,
  BackwardStep,
  ForwardStep,
  TensorId,
} from '../compile/program.ts';
import type { ConvVariant, KernelSpec, MatmulVariant, WorkgroupGrid } from '../gpu/index.ts';

/** Scratch buffers shared by every op (ops run one after another), each sized to its largest request. */
export type ScratchRole =
  | 'conv.input'
  | 'conv.gradient'
  | 'conv.weights'
  | 'conv.partials'
  | 'bn.sums'
  | 'matmul.partials';

/** Binding i of a dispatch, in the kernel's binding order. */
export type Binding =
  | { tensor: TensorId }
  | { scratch: ScratchRole; bytes: number }
  /** A uniform buffer holding these bytes, written once at bind time. */
  | { params: ArrayBuffer }
  /** The executor's per-step optimizer hyperparameters (a uniform written at update time). */
  | { optimizerAttrs: true }
  /** A placeholder for a binding this specialisation leaves unused. */
  | { empty: true };

export interface DispatchPlan {
  spec: KernelSpec;
  bindings: Binding[];
  /** A plain count is a 1-D launch folded by the runtime (kernels recover the flat index). */
  grid: number | WorkgroupGrid;
}

/** What a GPU kernel may ask about the program it is planned for. */
export interface PlanContext {
  shape(tensor: TensorId): Shape;
  /** The matmul variant chosen for this adapter (Linear uses the shared matmul kernels). */
  readonly matmulVariant: MatmulVariant;
  /** The conv2d variant chosen for this adapter (register-blocked or workgroup-memory tiles). */
  readonly convVariant: ConvVariant;
  /** Whether Linear applies the split-K shape rule (off on software adapters, where it measured no gain). */
  readonly splitK: boolean;
  /** The most workgroups a kernel should launch along x before looping (grid-stride). */
  readonly maxWorkgroups: number;
  /** The blocked conv kernels share loads across subgroups of exactly 4 invocations (chooseSubgroupLoads). */
  readonly subgroupLoads: boolean;
}

/** One op's kernels: forward and backward plans; `training` only matters where `modal` is set. */
export interface GpuKernel<K extends OpName> {
  forward(step: ForwardStep<K>, ctx: PlanContext, training: boolean): DispatchPlan[];
  backward(step: BackwardStep<K>, ctx: PlanContext, training: boolean): DispatchPlan[];
  /** The plans differ between training and eval (BatchNorm); others are planned once. */
  modal?: boolean;
}

export type AnyGpuKernel = {
  forward(step: AnyForwardStep, ctx: PlanContext, training: boolean): DispatchPlan[];
  backward(step: AnyBackwardStep, ctx: PlanContext, training: boolean): DispatchPlan[];
  modal?: boolean;
};

/**
 * Builds a uniform block field by field: u32 (also for booleans and non-negative ints), i32 and f32, each 4
 * bytes, padded to 16 bytes. NOTE: the WGSL struct must declare the same fields in the same order.
 */
export class Params {
  private readonly words: { kind: 'u32' | 'i32' | 'f32'; value: number }[] = [];

  u32(...values: (number | boolean)[]): this {
    for (const v of values) {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`u32 parameter ${v}`);
      this.words.push({ kind: 'u32', value: n });
    }
    return this;
  }

  i32(...values: number[]): this {
    for (const v of values) this.words.push({ kind: 'i32', value: v });
    return this;
  }

  f32(...values: number[]): this {
    for (const v of values) this.words.push({ kind: 'f32', value: v });
    return this;
  }

  bytes(): ArrayBuffer {
    const buffer = new ArrayBuffer(Math.max(16, Math.ceil(this.words.length / 4) * 16));
    const view = new DataView(buffer);
    this.words.forEach((w, i) => {
      if (w.kind === 'f32') view.setFloat32(i * 4, w.value, true);
      else if (w.kind === 'i32') view.setInt32(i * 4, w.value, true);
      else view.setUint32(i * 4, w.value, true);
    });
    return buffer;
  }

  binding(): Binding {
    return { params: this.bytes() };
  }
}

/** Threads per workgroup of every 1-D element kernel (shaders declare the same). */
export const ELEMENT_WORKGROUP = 64;

/** Workgroups for one invocation per element (the runtime folds counts past the per-dimension limit). */
export function elementGroups(count: number): number {
  return Math.ceil(count / ELEMENT_WORKGROUP);
}

/**
 * The element type of the vectorised element kernels (their `alias T = {{T}}`) for rows of `length` values:
 * vec4f when the length is a multiple of 4 (a vec4 never straddles two rows), else f32; `width` is its
 * element count. NOTE: on SwiftShader one vec4 load costs about what one f32 load does.
 */
export function elementType(length: number): { width: 1 | 4; template: { T: 'f32' | 'vec4f' } } {
  return length % 4 === 0 ? { width: 4, template: { T: 'vec4f' } } : { width: 1, template: { T: 'f32' } };
}

export const tensor = (id: TensorId): Binding => ({ tensor: id });
export const optional = (id: TensorId | undefined): Binding =>
  id === undefined ? { empty: true } : { tensor: id };
export const EMPTY: Binding = { empty: true };

/** (N, C, S): batch, channels, and the product of the later dimensions (1 for (N, C)). */
export function dimsNCS(shape: Shape): [number, number, number] {
  let rest = 1;
  for (let k = 2; k < shape.length; k++) rest *= shape[k]!;
  return [shape[0]!, shape[1] ?? 1, rest];
}

export function dims4(shape: Shape): [number, number, number, number] {
  if (shape.length !== 4) throw new Error(`expected an (N, C, H, W) tensor, got (${shape.join(', ')})`);
  return [shape[0]!, shape[1]!, shape[2]!, shape[3]!];
}

export function count(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}
