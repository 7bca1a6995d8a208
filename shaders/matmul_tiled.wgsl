// Matmul, workgroup-memory tiles: out = op(A) * op(B) (+ bias) (+ out). A 16x16 workgroup stages 64x8 of
// op(A) and 8x64 of op(B) in workgroup memory per step and each invocation computes a 4x4 block of the
// 64x64 output tile (the fast form on real GPUs; slow on SwiftShader, where barriers are costly).
// Layouts as matmul_blocked.wgsl: A stored [M, K] or [K, M] (TRANSPOSE_A), B stored [K, N] or [N, K]
// (TRANSPOSE_B), out [M, N], row-major float32. Grid: x = ceil(N / 64), y = ceil(M / 64), z = batch.

struct Params {
  m: u32,
  n: u32,
  k: u32,
  batch_stride_a: u32,  // elements between matrices of a batch (0 shares one matrix across the batch)
  batch_stride_b: u32,
  batch_stride_out: u32,
  k_chunk: u32,  // SPLIT_K: k per chunk (a multiple of 8)
  splits: u32,   // SPLIT_K: chunks per product
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

override TRANSPOSE_A: bool = false;
override TRANSPOSE_B: bool = false;
override HAS_BIAS: bool = false;
override ACCUMULATE: bool = false;
// Split-K: grid z runs batch x chunk; each invocation sums its chunk of k into partials[z] (out is the partials
// buffer, [batch * splits, M, N]); matmul_split_reduce.wgsl then adds the chunks in order, the bias and out.
override SPLIT_K: bool = false;

const TILE = 64u;     // output tile side
const TILE_K = 8u;    // k values staged per step (16 doubles the compile time on SwiftShader)
const GROUPS = 16u;   // TILE / 4: vec4 groups of rows (or columns) per tile

// tile_a[kk * GROUPS + g] holds op(A) rows 4g..4g+3 of the tile at k = kk; tile_b likewise for columns.
var<workgroup> tile_a: array<vec4f, 128>;
var<workgroup> tile_b: array<vec4f, 128>;

// op(A)[row, kk] or 0 outside the matrix.
// k_end: the end of this invocation's k range (k, or its chunk's end when SPLIT_K).
fn a_at(base: u32, row: u32, kk: u32, k_end: u32) -> f32 {
  let m = params.m;
  let k = params.k;
  let inside = row < m && kk < k_end;
  var i = base + min(row, m - 1u) * k + min(kk, k - 1u);
  if (TRANSPOSE_A) { i = base + min(kk, k - 1u) * m + min(row, m - 1u); }
  return select(0.0, a[i], inside);
}

// op(B)[kk, col] or 0 outside the matrix.
fn b_at(base: u32, kk: u32, col: u32, k_end: u32) -> f32 {
  let n = params.n;
  let k = params.k;
  let inside = col < n && kk < k_end;
  var i = base + min(kk, k - 1u) * n + min(col, n - 1u);
  if (TRANSPOSE_B) { i = base + min(col, n - 1u) * k + min(kk, k - 1u); }
  return select(0.0, b[i], inside);
}

fn put(i: u32, value: f32) {
  if (ACCUMULATE) {
    out[i] += value;
  } else {
    out[i] = value;
  }
}

fn store(base: u32, row: u32, col0: u32, value: vec4f) {
  let n = params.n;
  if (row >= params.m) { return; }
  let i = base + row * n + col0;
  if (col0 < n) { put(i, value.x); }
  if (col0 + 1u < n) { put(i + 1u, value.y); }
  if (col0 + 2u < n) { put(i + 2u, value.z); }
  if (col0 + 3u < n) { put(i + 3u, value.w); }
}

fn bias_at(col0: u32) -> vec4f {
  if (!HAS_BIAS) { return vec4f(0.0); }
  let c = min(vec4u(col0) + vec4u(0u, 1u, 2u, 3u), vec4u(params.n - 1u));
  return vec4f(bias[c.x], bias[c.y], bias[c.z], bias[c.w]);
}

@compute @workgroup_size(16, 16, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u,
        @builtin(local_invocation_index) t: u32) {
  let tile_row = wid.y * TILE;
  let tile_col = wid.x * TILE;
  // The batch entry, and the k range this workgroup sums: all of k, or one chunk when SPLIT_K.
  var entry = wid.z;
  var k_begin = 0u;
  var k_end = params.k;
  if (SPLIT_K) {
    entry = wid.z / params.splits;
    k_begin = (wid.z % params.splits) * params.k_chunk;
    k_end = min(params.k, k_begin + params.k_chunk);
  }
  let base_a = entry * params.batch_stride_a;
  let base_b = entry * params.batch_stride_b;
  // Invocations 0-127 stage one vec4 of op(A), 128-255 one of op(B), so neighbours read neighbouring addresses.
  let loads_a = t < 128u;
  let u = t % 128u;
  // Stored rows run along k for A unless TRANSPOSE_A, and for B only when TRANSPOSE_B.
  let along_k = select(TRANSPOSE_B, !TRANSPOSE_A, loads_a);
  var group = u / TILE_K;
  var kk_load = u % TILE_K;
  if (!along_k) { group = u % GROUPS; kk_load = u / GROUPS; }
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  // NOTE: no early return before the loop: every invocation must reach every barrier.
  for (var k0 = k_begin; k0 < k_end; k0 += TILE_K) {
    let k = k0 + kk_load;
    if (loads_a) {
      let r = tile_row + group * 4u;
      tile_a[kk_load * GROUPS + group] = vec4f(
        a_at(base_a, r, k, k_end), a_at(base_a, r + 1u, k, k_end), a_at(base_a, r + 2u, k, k_end),
        a_at(base_a, r + 3u, k, k_end));
    } else {
      let c = tile_col + group * 4u;
      tile_b[kk_load * GROUPS + group] = vec4f(
        b_at(base_b, k, c, k_end), b_at(base_b, k, c + 1u, k_end), b_at(base_b, k, c + 2u, k_end),
        b_at(base_b, k, c + 3u, k_end));
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TILE_K; kk++) {
      let av = tile_a[kk * GROUPS + lid.y];
      let bv = tile_b[kk * GROUPS + lid.x];
      acc0 += av.x * bv;
      acc1 += av.y * bv;
      acc2 += av.z * bv;
      acc3 += av.w * bv;
    }
    workgroupBarrier();
  }
  var base_out = wid.z * params.batch_stride_out;
  if (SPLIT_K) { base_out = wid.z * params.m * params.n; }
  let row0 = tile_row + lid.y * 4u;
  let col0 = tile_col + lid.x * 4u;
  let bias_v = bias_at(col0);
  store(base_out, row0, col0, acc0 + bias_v);
  store(base_out, row0 + 1u, col0, acc1 + bias_v);
  store(base_out, row0 + 2u, col0, acc2 + bias_v);
  store(base_out, row0 + 3u, col0, acc3 + bias_v);
}
