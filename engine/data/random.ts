// Seeded randomness for data work: the engine's one generator (engine/train/random.ts) for splits, shuffles and
// per-batch keys, and a counter-based hash (per-sample and per-pixel draws) that a GPU shader can reproduce from
// the same key and counter.

import type { Random } from '../train/random.ts';

export { Random } from '../train/random.ts';

/**
 * What data code draws from the engine's generator: augmentation takes one uint32 per batch (the batch key).
 * NOTE: there is no second sequential generator here any more; pass a `Random` (or one of its split streams).
 */
export type RandomGenerator = Pick<Random, 'uint32'>;

/** A 32-bit integer hash with good avalanche (Wellons' lowbias32). */
export function hash32(value: number): number {
  let x = value >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Uniform in [0, 1) for draw number `counter` under `key`: hash32(hash32(key) ^ counter), top 24 bits. */
export function hashUniform(key: number, counter: number): number {
  return (hash32(hash32(key) ^ counter) >>> 8) / 16777216;
}

/**
 * A standard normal for draw number `counter` under `key`, by Box-Muller on the uniforms of counters
 * 2*counter and 2*counter+1 (the first moved to (0, 1] so the logarithm stays finite).
 */
export function hashNormal(key: number, counter: number): number {
  const u1 = 1 - hashUniform(key, 2 * counter);
  const u2 = hashUniform(key, 2 * counter + 1);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}
