// The numbers both backends must compute alike for some ops, defined once: Upsample's source pixels and weights
// (PyTorch's CPU rules, in float32) and Dropout's random bits (u32 arithmetic a WGSL kernel ports line by line).

import { hash32 } from '../data/random.ts';

// NOTE: Dropout's bits use the same integer hash as the data draws (lowbias32); re-exported for its tests.
export { hash32 };

/** Upsample along one axis: output o reads input i0[o] with weight l0[o] plus input i1[o] with weight l1[o]. */
export interface UpsampleTaps {
  i0: Int32Array;
  i1: Int32Array;
  l0: Float32Array;
  l1: Float32Array;
}

/**
 * Upsample's taps along one axis, in float32 as PyTorch's CPU kernels compute them (area_pixel_compute_scale,
 * area_pixel_compute_source_index, nearest_idx), so both backends pick the same source pixels.
 * `scale` is the user's scale factor or null when a size was given.
 */
export function upsampleTaps(
  mode: 'nearest' | 'bilinear',
  inSize: number,
  outSize: number,
  scale: number | null,
  alignCorners: boolean,
): UpsampleTaps {
  const f = Math.fround;
  const taps: UpsampleTaps = {
    i0: new Int32Array(outSize),
    i1: new Int32Array(outSize),
    l0: new Float32Array(outSize),
    l1: new Float32Array(outSize),
  };
  // NOTE: a given scale sets the ratio (1 / scale) unless align_corners; otherwise it comes from the sizes.
  const ratio = alignCorners
    ? outSize > 1
      ? f((inSize - 1) / (outSize - 1))
      : 0
    : scale !== null && scale > 0
      ? f(1 / scale)
      : f(inSize / outSize);
  for (let o = 0; o < outSize; o++) {
    if (mode === 'nearest') {
      // nearest_idx: the exact halving fast path when the output is twice the input, else floor(o * ratio)
      const i = outSize === 2 * inSize ? o >> 1 : Math.min(Math.floor(f(o * ratio)), inSize - 1);
      taps.i0[o] = i;
      taps.i1[o] = i;
      taps.l0[o] = 1;
      taps.l1[o] = 0;
      continue;
    }
    const real = alignCorners ? f(ratio * o) : Math.max(f(f(ratio * f(o + 0.5)) - 0.5), 0);
    const i = Math.min(Math.trunc(real), inSize - 1);
    const lambda = Math.min(Math.max(f(real - i), 0), 1);
    taps.i0[o] = i;
    taps.i1[o] = i < inSize - 1 ? i + 1 : i;
    taps.l1[o] = lambda;
    taps.l0[o] = f(1 - lambda);
  }
  return taps;
}

/** Per input index, the half-open range of outputs whose taps read it (taps are monotone, so it is one range). */
export function upsampleReaders(taps: UpsampleTaps, inSize: number): { lo: Int32Array; hi: Int32Array } {
  const lo = new Int32Array(inSize).fill(taps.i0.length);
  const hi = new Int32Array(inSize);
  for (let o = 0; o < taps.i0.length; o++)
    for (const i of [taps.i0[o]!, taps.i1[o]!]) {
      lo[i] = Math.min(lo[i]!, o);
      hi[i] = Math.max(hi[i]!, o + 1);
    }
  for (let i = 0; i < inSize; i++) if (hi[i] === 0) lo[i] = 0;
  return { lo, hi };
}

// The dropout draw, the same bits on every backend (u32 arithmetic only, so a WGSL kernel ports it line by line):
//   step key  k    = hash32(seed ^ hash32(step ^ hash32(stream)))        once per op and step
//   bits      b(i) = hash32(hash32(i ^ k) + k)                           i = flat index over (N, ...), mod 2^32
//   dropped        = (b(i) >>> 8) < round(p * 2^24)                      24 bits, so p = 1 drops every value
//   y(i)           = x(i) * m(i), m(i) = dropped ? 0 : float32(1 / (1 - p))   backward: dx(i) += dy(i) * m(i)
// `seed` and `step` are the program's random key (Program.randomKey), written before each training step.

/** FNV-1a over a layer's module path: the `stream` that gives each random op its own numbers. */
export function randomStream(path: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < path.length; i++) h = Math.imul(h ^ path.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** What to write into Program.randomKey before a training step: int32 (seed, step), as u32 bit patterns. */
export function randomKeyData(seed: number, step: number): Int32Array {
  return Int32Array.of(seed | 0, step | 0);
}

/** The dropout key of one op at one step (see the draw above). */
export function dropoutStepKey(seed: number, step: number, stream: number): number {
  return hash32(seed ^ hash32(step ^ hash32(stream)));
}

/** The 32 random bits of element `index` under a step key. */
export function dropoutBits(stepKey: number, index: number): number {
  return hash32((hash32(index ^ stepKey) + stepKey) | 0);
}

/** Elements whose `bits >>> 8` fall below this are dropped: round(p * 2^24). */
export function dropoutThreshold(p: number): number {
  return Math.min(2 ** 24, Math.max(0, Math.round(p * 2 ** 24)));
}

/** What kept values are multiplied by: float32(1 / (1 - p)), and 0 when p = 1 (everything is dropped). */
export function dropoutScale(p: number): number {
  return p >= 1 ? 0 : Math.fround(1 / (1 - p));
}
