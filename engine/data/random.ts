// Seeded randomness for data work: one sequential generator (splits, per-batch keys) and a counter-based hash
// (per-sample and per-pixel draws) that a GPU shader can reproduce from the same key and counter.

/**
 * A sequential generator. NOTE: kept to this one constructor so it can be swapped for the engine's shared
 * generator later; callers only use `uint32`, `uniform` and `below`.
 */
export interface RandomGenerator {
  /** A uniform 32-bit unsigned integer. */
  uint32(): number;
  /** Uniform in [0, 1), 24-bit resolution (exact in float32). */
  uniform(): number;
  /** A uniform integer in [0, n). */
  below(n: number): number;
}

/** xoshiro128** seeded through SplitMix32: only 32-bit integer operations, so WGSL can run it too. */
export function createRandom(seed: number): RandomGenerator {
  let x = seed >>> 0;
  const splitmix = () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const uint32 = () => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };
  return {
    uint32,
    uniform: () => (uint32() >>> 8) / 16777216,
    // NOTE: multiply-shift on 24 bits; the bias for n far below 2^24 is negligible for shuffles and splits.
    below: (n: number) => Math.floor(((uint32() >>> 8) / 16777216) * n),
  };
}

function rotl(value: number, shift: number): number {
  return ((value << shift) | (value >>> (32 - shift))) >>> 0;
}

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

/** Shuffles in place (Fisher-Yates from the end, one `below` per position). */
export function shuffleInPlace(
  values: { length: number; [i: number]: number },
  random: RandomGenerator,
): void {
  for (let i = values.length - 1; i > 0; i--) {
    const j = random.below(i + 1);
    const t = values[i]!;
    values[i] = values[j]!;
    values[j] = t;
  }
}
