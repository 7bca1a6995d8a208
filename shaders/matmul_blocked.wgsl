// Matmul, register-blocked: out = op(A) * op(B) (+ bias) (+ out), each invocation computing a 4x4 or 8x8 block
// held in vec4 registers, with no workgroup memory and no barriers (the fast form on SwiftShader; see
// /work/shared/notes/swiftshader.md). op(A) is M x K, op(B) is K x N, out is M x N, all row-major float32.
// A is stored [M, K], or [K, M] when TRANSPOSE_A; B is stored [K, N], or [N, K] when TRANSPOSE_B
// (Linear's forward is x * W^T: TRANSPOSE_B). Grid: x = column blocks, y = row blocks, z = batch.

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
// NOTE: bindings 5 and 6 are the same buffers as 0 and 1, viewed as vec4s; used only when VEC4_A / VEC4_B say
// the stored rows are whole vec4s (the stored row length and batch stride are multiples of 4).
@group(0) @binding(5) var<storage, read> a4: array<vec4f>;
@group(0) @binding(6) var<storage, read> b4: array<vec4f>;

override TRANSPOSE_A: bool = false;
override TRANSPOSE_B: bool = false;
override VEC4_A: bool = false;
override VEC4_B: bool = false;
override HAS_BIAS: bool = false;
override ACCUMULATE: bool = false;
// Split-K: grid z runs batch x chunk; each invocation sums its chunk of k into partials[z] (out is the partials
// buffer, [batch * splits, M, N]); matmul_split_reduce.wgsl then adds the chunks in order, the bias and out.
override SPLIT_K: bool = false;
override BLOCK: u32 = 8u;  // outputs per invocation along each side: 4 or 8
override WG_X: u32 = 8u;
override WG_Y: u32 = 8u;

const LANES = vec4u(0u, 1u, 2u, 3u);

// Rows row0..row0+3 of op(A) at columns ks: column r of the result is row r, one value per k.
fn load_a(base: u32, row0: u32, k0: u32, ks: vec4u) -> mat4x4f {
  let m = params.m;
  let k = params.k;
  if (TRANSPOSE_A) {
    // Stored [K, M]: a row of storage holds one k for consecutive rows.
    if (VEC4_A) {
      let r = (base + min(row0, m - 4u)) / 4u;
      let s = m / 4u;
      return transpose(mat4x4f(a4[r + ks.x * s], a4[r + ks.y * s], a4[r + ks.z * s], a4[r + ks.w * s]));
    }
    let rows = base + min(vec4u(row0) + LANES, vec4u(m - 1u));
    let kx = ks * m;
    return transpose(mat4x4f(
      vec4f(a[rows.x + kx.x], a[rows.y + kx.x], a[rows.z + kx.x], a[rows.w + kx.x]),
      vec4f(a[rows.x + kx.y], a[rows.y + kx.y], a[rows.z + kx.y], a[rows.w + kx.y]),
      vec4f(a[rows.x + kx.z], a[rows.y + kx.z], a[rows.z + kx.z], a[rows.w + kx.z]),
      vec4f(a[rows.x + kx.w], a[rows.y + kx.w], a[rows.z + kx.w], a[rows.w + kx.w])));
  }
  let rows = base + min(vec4u(row0) + LANES, vec4u(m - 1u)) * k;
  if (VEC4_A) {
    // k0 is a multiple of 4 and K is too, so k0..k0+3 is one whole vec4.
    return mat4x4f(a4[(rows.x + k0) / 4u], a4[(rows.y + k0) / 4u], a4[(rows.z + k0) / 4u], a4[(rows.w + k0) / 4u]);
  }
  return mat4x4f(
    vec4f(a[rows.x + ks.x], a[rows.x + ks.y], a[rows.x + ks.z], a[rows.x + ks.w]),
    vec4f(a[rows.y + ks.x], a[rows.y + ks.y], a[rows.y + ks.z], a[rows.y + ks.w]),
    vec4f(a[rows.z + ks.x], a[rows.z + ks.y], a[rows.z + ks.z], a[rows.z + ks.w]),
    vec4f(a[rows.w + ks.x], a[rows.w + ks.y], a[rows.w + ks.z], a[rows.w + ks.w]));
}

// Columns col0..col0+3 of op(B) at rows ks: column j of the result is k = ks[j], one value per column.
fn load_b(base: u32, col0: u32, k0: u32, ks: vec4u) -> mat4x4f {
  let n = params.n;
  let k = params.k;
  if (TRANSPOSE_B) {
    // Stored [N, K]: a row of storage holds consecutive k for one column.
    let cols = base + min(vec4u(col0) + LANES, vec4u(n - 1u)) * k;
    if (VEC4_B) {
      return transpose(mat4x4f(b4[(cols.x + k0) / 4u], b4[(cols.y + k0) / 4u], b4[(cols.z + k0) / 4u], b4[(cols.w + k0) / 4u]));
    }
    return mat4x4f(
      vec4f(b[cols.x + ks.x], b[cols.y + ks.x], b[cols.z + ks.x], b[cols.w + ks.x]),
      vec4f(b[cols.x + ks.y], b[cols.y + ks.y], b[cols.z + ks.y], b[cols.w + ks.y]),
      vec4f(b[cols.x + ks.z], b[cols.y + ks.z], b[cols.z + ks.z], b[cols.w + ks.z]),
      vec4f(b[cols.x + ks.w], b[cols.y + ks.w], b[cols.z + ks.w], b[cols.w + ks.w]));
  }
  if (VEC4_B) {
    let c = (base + min(col0, n - 4u)) / 4u;
    let s = n / 4u;
    return mat4x4f(b4[c + ks.x * s], b4[c + ks.y * s], b4[c + ks.z * s], b4[c + ks.w * s]);
  }
  let cols = base + min(vec4u(col0) + LANES, vec4u(n - 1u));
  let kx = ks * n;
  return mat4x4f(
    vec4f(b[kx.x + cols.x], b[kx.x + cols.y], b[kx.x + cols.z], b[kx.x + cols.w]),
    vec4f(b[kx.y + cols.x], b[kx.y + cols.y], b[kx.y + cols.z], b[kx.y + cols.w]),
    vec4f(b[kx.z + cols.x], b[kx.z + cols.y], b[kx.z + cols.z], b[kx.z + cols.w]),
    vec4f(b[kx.w + cols.x], b[kx.w + cols.y], b[kx.w + cols.z], b[kx.w + cols.w]));
}

fn bias_at(col0: u32) -> vec4f {
  if (!HAS_BIAS) { return vec4f(0.0); }
  let c = min(vec4u(col0) + LANES, vec4u(params.n - 1u));
  return vec4f(bias[c.x], bias[c.y], bias[c.z], bias[c.w]);
}

fn put(i: u32, value: f32) {
  if (ACCUMULATE) {
    out[i] += value;
  } else {
    out[i] = value;
  }
}

// Writes out[row, col0..col0+3], those inside the matrix (adding to the old values when ACCUMULATE).
fn store(base: u32, row: u32, col0: u32, value: vec4f) {
  let n = params.n;
  if (row >= params.m) { return; }
  let i = base + row * n + col0;
  if (col0 < n) { put(i, value.x); }
  if (col0 + 1u < n) { put(i + 1u, value.y); }
  if (col0 + 2u < n) { put(i + 2u, value.z); }
  if (col0 + 3u < n) { put(i + 3u, value.w); }
}

@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let row0 = gid.y * BLOCK;
  let col0 = gid.x * BLOCK;
  if (row0 >= params.m || col0 >= params.n) { return; }
  // The batch entry, and the k range this invocation sums: all of k, or one chunk when SPLIT_K.
  var entry = gid.z;
  var k_begin = 0u;
  var k = params.k;
  if (SPLIT_K) {
    entry = gid.z / params.splits;
    k_begin = (gid.z % params.splits) * params.k_chunk;
    k = min(params.k, k_begin + params.k_chunk);
  }
  let base_a = entry * params.batch_stride_a;
  let base_b = entry * params.batch_stride_b;
  // acc_RC_r: row R*4+r of the block, columns C*4..C*4+3 (R, C = 0 or 1; only 00 when BLOCK is 4).
  // NOTE: sixteen named vec4s, not an array: a dynamically indexed array can end up in memory (about 5x slower
  // on SwiftShader).
  var acc00_0 = vec4f(0.0); var acc00_1 = vec4f(0.0); var acc00_2 = vec4f(0.0); var acc00_3 = vec4f(0.0);
  var acc01_0 = vec4f(0.0); var acc01_1 = vec4f(0.0); var acc01_2 = vec4f(0.0); var acc01_3 = vec4f(0.0);
  var acc10_0 = vec4f(0.0); var acc10_1 = vec4f(0.0); var acc10_2 = vec4f(0.0); var acc10_3 = vec4f(0.0);
  var acc11_0 = vec4f(0.0); var acc11_1 = vec4f(0.0); var acc11_2 = vec4f(0.0); var acc11_3 = vec4f(0.0);
  for (var k0 = k_begin; k0 < k; k0 += 4u) {
    let ks = min(vec4u(k0) + LANES, vec4u(k - 1u));
    var a_lo = load_a(base_a, row0, k0, ks);
    let b_lo = load_b(base_b, col0, k0, ks);
    if (k0 + 4u > k) {
      // Last, partial chunk: the clamped k's repeat the last one, so zero their A values.
      let keep = select(vec4f(0.0), vec4f(1.0), vec4u(k0) + LANES < vec4u(k));
      a_lo = mat4x4f(a_lo[0] * keep, a_lo[1] * keep, a_lo[2] * keep, a_lo[3] * keep);
    }
    acc00_0 += b_lo * a_lo[0];
    acc00_1 += b_lo * a_lo[1];
    acc00_2 += b_lo * a_lo[2];
    acc00_3 += b_lo * a_lo[3];
    if (BLOCK == 8u) {
      var a_hi = load_a(base_a, row0 + 4u, k0, ks);
      let b_hi = load_b(base_b, col0 + 4u, k0, ks);
      if (k0 + 4u > k) {
        let keep = select(vec4f(0.0), vec4f(1.0), vec4u(k0) + LANES < vec4u(k));
        a_hi = mat4x4f(a_hi[0] * keep, a_hi[1] * keep, a_hi[2] * keep, a_hi[3] * keep);
      }
      acc01_0 += b_hi * a_lo[0];
      acc01_1 += b_hi * a_lo[1];
      acc01_2 += b_hi * a_lo[2];
      acc01_3 += b_hi * a_lo[3];
      acc10_0 += b_lo * a_hi[0];
      acc10_1 += b_lo * a_hi[1];
      acc10_2 += b_lo * a_hi[2];
      acc10_3 += b_lo * a_hi[3];
      acc11_0 += b_hi * a_hi[0];
      acc11_1 += b_hi * a_hi[1];
      acc11_2 += b_hi * a_hi[2];
      acc11_3 += b_hi * a_hi[3];
    }
  }
  var base_out = gid.z * params.batch_stride_out;
  if (SPLIT_K) { base_out = gid.z * params.m * params.n; }
  let bias_lo = bias_at(col0);
  store(base_out, row0, col0, acc00_0 + bias_lo);
  store(base_out, row0 + 1u, col0, acc00_1 + bias_lo);
  store(base_out, row0 + 2u, col0, acc00_2 + bias_lo);
  store(base_out, row0 + 3u, col0, acc00_3 + bias_lo);
  if (BLOCK == 8u) {
    let bias_hi = bias_at(col0 + 4u);
    store(base_out, row0, col0 + 4u, acc01_0 + bias_hi);
    store(base_out, row0 + 1u, col0 + 4u, acc01_1 + bias_hi);
    store(base_out, row0 + 2u, col0 + 4u, acc01_2 + bias_hi);
    store(base_out, row0 + 3u, col0 + 4u, acc01_3 + bias_hi);
    store(base_out, row0 + 4u, col0, acc10_0 + bias_lo);
    store(base_out, row0 + 5u, col0, acc10_1 + bias_lo);
    store(base_out, row0 + 6u, col0, acc10_2 + bias_lo);
    store(base_out, row0 + 7u, col0, acc10_3 + bias_lo);
    store(base_out, row0 + 4u, col0 + 4u, acc11_0 + bias_hi);
    store(base_out, row0 + 5u, col0 + 4u, acc11_1 + bias_hi);
    store(base_out, row0 + 6u, col0 + 4u, acc11_2 + bias_hi);
    store(base_out, row0 + 7u, col0 + 4u, acc11_3 + bias_hi);
  }
}
