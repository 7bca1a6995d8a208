// The CPU backend's tensors (float32 and int32 views of one memory) and the kernel signature every op
// file implements: `forward` next to `backward`.

import type { OpAttrs, OpGrads, OpInputs, OpName, OpSaved, Shape } from '../compile/ops.ts';

/** NCHW, row-major; `f` and `i` view the same bytes as float32 and int32. */
export interface CpuTensor {
  shape: Shape;
  f: Float32Array;
  i: Int32Array;
}

/** A gradient to write (`accumulate` false: first contribution) or add into. */
export interface CpuGrad {
  t: CpuTensor;
  accumulate: boolean;
}

export interface ForwardArgs<K extends OpName> {
  attrs: OpAttrs[K];
  inputs: OpInputs<CpuTensor>[K];
  output: CpuTensor;
  saved: OpSaved<CpuTensor>[K];
  training: boolean;
}

export interface BackwardArgs<K extends OpName> extends ForwardArgs<K> {
  gradOutput: CpuTensor;
  grads: OpGrads<CpuGrad>[K];
}

export interface CpuKernel<K extends OpName> {
  forward(args: ForwardArgs<K>): void;
  backward(args: BackwardArgs<K>): void;
}

/**
 * The array a backward adds its contribution into: cleared first when this is the first contribution.
 * NOTE: kernels always `+=` into it, so fan-out (residuals, Add(x, x)) sums by construction.
 */
export function gradInto(g: CpuGrad | undefined): Float32Array | undefined {
  if (!g) return undefined;
  if (!g.accumulate) g.t.f.fill(0);
  return g.t.f;
}

export function dims4(t: CpuTensor): [number, number, number, number] {
  const s = t.shape;
  if (s.length !== 4) throw new Error(`expected an (N, C, H, W) tensor, got (${s.join(', ')})`);
  return [s[0]!, s[1]!, s[2]!, s[3]!];
}

/** (N, C, S): batch, channels, and the product of every later dimension (1 for (N, C)). */
export function dimsNCS(t: CpuTensor): [number, number, number] {
  const s = t.shape;
  let rest = 1;
  for (let k = 2; k < s.length; k++) rest *= s[k]!;
  return [s[0]!, s[1] ?? 1, rest];
}
