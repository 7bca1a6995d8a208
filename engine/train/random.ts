// The one seeded random generator behind init, shuffling, dropout and augmentation: xoshiro128** with
// named, independent streams, so a run repeats exactly and adding one consumer never shifts another.

/** splitmix32: spreads a 32-bit value over all bits; used for seeding and stream keys. */
function mix32(value: number): number {
  let z = (value + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

/** FNV-1a over the UTF-16 code units of a label. */
function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const rotl = (x: number, k: number) => (x << k) | (x >>> (32 - k));

export class Random {
  /** The 32-bit key this generator was made from; streams split from it derive theirs from it. */
  readonly key: number;
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
    this.key = mix32(seed >>> 0) ^ mix32(Math.floor(seed / 2 ** 32) >>> 0);
    let x = this.key;
    const next = () => {
      x = (x + 0x6d2b79f5) | 0;
      return mix32(x);
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // xoshiro's one forbidden state
  }

  /**
   * An independent generator for one purpose (`init:conv1.weight`, `shuffle`, `dropout`, ...).
   * It depends only on this generator's key and the label, not on how many numbers were drawn.
   */
  split(label: string): Random {
    return new Random(mix32(this.key ^ mix32(hashLabel(label))));
  }

  /** Where this generator is in its sequence (four 32-bit words), to save in a checkpoint. */
  state(): [number, number, number, number] {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0];
  }

  /** Continues from a position `state()` gave, so the draws go on exactly as they would have. */
  restore(state: readonly number[]): void {
    if (state.length !== 4 || state.some((w) => !Number.isInteger(w) || w < 0 || w >= 2 ** 32))
      throw new Error(`a generator state is four 32-bit unsigned integers, got [${state.join(', ')}]`);
    if (state.every((w) => w === 0)) throw new Error('a generator state cannot be all zero');
    [this.s0, this.s1, this.s2, this.s3] = state.map((w) => w | 0) as [number, number, number, number];
  }

  /** Next 32 random bits as an unsigned integer. */
  uint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 24 bits, so every value is exact in float32. */
  float(): number {
    return (this.uint32() >>> 8) / 16777216;
  }

  /** Uniform in [low, high), rounded to float32. */
  uniform(low: number, high: number): number {
    return Math.fround(low + (high - low) * this.float());
  }

  /** Uniform integer in [0, n), without modulo bias. */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 2 ** 32)
      throw new Error(`int(n) needs 1 <= n <= 2^32, got ${n}`);
    const limit = 2 ** 32 - (2 ** 32 % n);
    for (;;) {
      const r = this.uint32();
      if (r < limit) return r % n;
    }
  }

  /** true with probability p. */
  bernoulli(p: number): boolean {
    return this.float() < p;
  }

  /** Standard normal (Box-Muller on two uniforms). */
  normal(): number {
    const u = 1 - this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.float());
  }

  /** Shuffles in place (Fisher-Yates) and returns the array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }

  /** A random order of 0 .. n - 1. */
  permutation(n: number): Int32Array {
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
    return order;
  }
}
