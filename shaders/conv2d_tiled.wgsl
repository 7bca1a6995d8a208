// Conv2d as a workgroup-memory tiled implicit GEMM (no im2col buffer, no padding or relayout pass), for real
// GPUs; conv2d.wgsl's register-blocked kernels are what pays on SwiftShader. A workgroup of 256 invocations
// stages TM rows x 8 k of A and 8 k x TN columns of B in workgroup memory per step, each invocation computing a
// 4x4 block of the TM x TN output tile (TM * TN = 4096: 64 x 64, or 256 x 16 ... 16 x 256 so that a conv with
// few channels does not leave most of a tile idle), like matmul_tiled.wgsl; A and B are gathered from the
// tensors by MODE:
//   MODE 0, forward:        rows = output positions (n, oh, ow), columns = output channels o of group g,
//                           k = (c, kh, kw): A = x at the tap (0 in the padding), B = weight[o, c, kh, kw];
//                           y (+)= A B + bias.
//   MODE 1, input gradient: rows = input positions (n, h, w), columns = input channels c of group g,
//                           k = (o, kh, kw): A = dy at the output position that reads (h, w) through tap
//                           (kh, kw) (0 where none does: strides, edges), B = weight[o, c, kh, kw]; dx (+)= A B.
//   MODE 2, weight and bias gradient: rows = output channels o of group g, columns = taps (c, kh, kw) and,
//                           when has_bias, one more column for the bias (an input of 1); k = positions
//                           (n, oh, ow) of one chunk: A = dy, B = x at the tap; partial[chunk, g] = A B.
//                           conv2d_tiled_reduce.wgsl sums the chunks in order (deterministic, no atomics).
// x (N, C, H, W), weight (O, Cg, KH, KW), dy / y (N, O, OH, OW), all row-major float32.
// Grid: x = column tiles, y = row tiles (the kernel loops past the grid), z = G (MODE 0, 1) or G * chunks (2).

struct Params {
  n: u32, c: u32, h: u32, w: u32,
  o: u32, oh: u32, ow: u32, og: u32,
  cg: u32, groups: u32, chunk_size: u32, has_bias: u32,
  accumulate: u32, row_tiles: u32, _pad0: u32, _pad1: u32,
}

@group(0) @binding(0) var<storage, read> a_src: array<f32>;       // x (MODE 0), dy (MODE 1, 2)
@group(0) @binding(1) var<storage, read> b_src: array<f32>;       // weight (MODE 0, 1), x (MODE 2)
@group(0) @binding(2) var<storage, read> bias: array<f32>;        // MODE 0 with has_bias
@group(0) @binding(3) var<storage, read_write> out: array<f32>;   // y, dx, or the partials
@group(0) @binding(4) var<uniform> params: Params;

override MODE: u32 = 0u;
override KH: u32 = 3u;
override KW: u32 = 3u;
override SH: u32 = 1u;
override SW: u32 = 1u;
override DH: u32 = 1u;
override DW: u32 = 1u;
override PH: u32 = 0u;
override PW: u32 = 0u;
override TM: u32 = 64u;  // output tile rows: 16, 32, 64, 128 or 256, with TM * TN = 4096
override TN: u32 = 64u;  // output tile columns

const TILE_K = 8u;
const INVOCATIONS = 256u;

// tile_a[kk * TM / 4 + r] holds rows 4r..4r+3 of the tile at k = kk; tile_b likewise for columns.
var<workgroup> tile_a: array<vec4f, TM * TILE_K / 4u>;
var<workgroup> tile_b: array<vec4f, TN * TILE_K / 4u>;

// x[n, g * cg + c] at tap t = kh * KW + kw of output position (oh, ow), or 0 in the padding.
fn x_tap(n: u32, g: u32, c: u32, oh: u32, ow: u32, t: u32) -> f32 {
  let ih = i32(oh * SH + (t / KW) * DH) - i32(PH);
  let iw = i32(ow * SW + (t % KW) * DW) - i32(PW);
  let inside = ih >= 0 && ih < i32(params.h) && iw >= 0 && iw < i32(params.w);
  let at = ((n * params.c + g * params.cg + c) * params.h + u32(max(ih, 0))) * params.w + u32(max(iw, 0));
  return select(0.0, x_value(at), inside);
}

// x is binding 0 in MODE 0 and binding 1 in MODE 2.
fn x_value(at: u32) -> f32 {
  if (MODE == 0u) { return a_src[at]; }
  return b_src[at];
}

// A[row, k] of this workgroup's group g (0 outside the product).
fn a_at(g: u32, row: u32, k: u32, rows: u32, k_end: u32) -> f32 {
  if (row >= rows || k >= k_end) { return 0.0; }
  let taps = KH * KW;
  if (MODE == 0u) {
    let P = params.oh * params.ow;
    let n = row / P;
    let r = row % P;
    return x_tap(n, g, k / taps, r / params.ow, r % params.ow, k % taps);
  }
  if (MODE == 1u) {
    let HW = params.h * params.w;
    let n = row / HW;
    let hw = row % HW;
    let o = k / taps;
    let t = k % taps;
    let th = i32(hw / params.w + PH) - i32((t / KW) * DH);
    let tw = i32(hw % params.w + PW) - i32((t % KW) * DW);
    if (th < 0 || tw < 0) { return 0.0; }
    let oh = u32(th) / SH;
    let ow = u32(tw) / SW;
    if (u32(th) % SH != 0u || u32(tw) % SW != 0u || oh >= params.oh || ow >= params.ow) { return 0.0; }
    return a_src[((n * params.o + g * params.og + o) * params.oh + oh) * params.ow + ow];
  }
  // MODE 2: dy[n, g * og + row] at position k.
  let P = params.oh * params.ow;
  return a_src[((k / P) * params.o + g * params.og + row) * P + k % P];
}

// B[k, col] of group g (0 outside the product).
fn b_at(g: u32, k: u32, col: u32, cols: u32, k_end: u32) -> f32 {
  if (col >= cols || k >= k_end) { return 0.0; }
  let taps = KH * KW;
  if (MODE == 0u) {
    return b_src[(g * params.og + col) * params.cg * taps + k];
  }
  if (MODE == 1u) {
    return b_src[((g * params.og + k / taps) * params.cg + col) * taps + k % taps];
  }
  // MODE 2: x at tap `col` of position k; the column past the taps is the bias's input of 1.
  let K = params.cg * taps;
  if (col >= K) { return 1.0; }
  let P = params.oh * params.ow;
  let r = k % P;
  return x_tap(k / P, g, col / taps, r / params.ow, r % params.ow, col % taps);
}

fn put(at: u32, value: f32) {
  out[at] = select(value, out[at] + value, params.accumulate != 0u);
}

// Writes the 4 columns col0.. of one row (those inside the product).
fn store(g: u32, chunk: u32, row: u32, col0: u32, rows: u32, cols: u32, v: vec4f) {
  if (row >= rows) { return; }
  for (var j = 0u; j < 4u; j++) {
    let col = col0 + j;
    if (col >= cols) { return; }
    if (MODE == 0u) {
      let P = params.oh * params.ow;
      let o = g * params.og + col;
      var value = v[j];
      if (params.has_bias != 0u) { value += bias[o]; }
      put(((row / P) * params.o + o) * P + row % P, value);
    } else if (MODE == 1u) {
      let HW = params.h * params.w;
      put(((row / HW) * params.c + g * params.cg + col) * HW + row % HW, v[j]);
    } else {
      // Partials (chunks, G, Og, K + 1), always K + 1 columns.
      let stride = params.cg * KH * KW + 1u;
      out[((chunk * params.groups + g) * params.og + row) * stride + col] = v[j];
    }
  }
}

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) t: u32) {
  let taps = KH * KW;
  var g = wid.z;
  var chunk = 0u;
  var rows = 0u;
  var cols = 0u;
  var k_begin = 0u;
  var k_end = 0u;
  if (MODE == 0u) {
    rows = params.n * params.oh * params.ow;
    cols = params.og;
    k_end = params.cg * taps;
  } else if (MODE == 1u) {
    rows = params.n * params.h * params.w;
    cols = params.cg;
    k_end = params.og * taps;
  } else {
    g = wid.z % params.groups;
    chunk = wid.z / params.groups;
    rows = params.og;
    cols = params.cg * taps + params.has_bias;
    k_begin = chunk * params.chunk_size;
    k_end = min(k_begin + params.chunk_size, params.n * params.oh * params.ow);
  }
  let tile_col = wid.x * TN;
  // This invocation's 4x4 block of the tile: row group and column group.
  let row_group = t / (TN / 4u);
  let col_group = t % (TN / 4u);
  // Each step stages TM * 2 vec4s of A (4 rows at one k) then TN * 2 of B; invocation t stages entries
  // t, t + 256, ... of that list.
  let a_loads = TM * TILE_K / 4u;
  let loads = (TM + TN) * TILE_K / 4u;
  // NOTE: every loop bound here is uniform across the workgroup, so every invocation reaches every barrier.
  for (var tile = wid.y; tile < params.row_tiles; tile += nwg.y) {
    let tile_row = tile * TM;
    var acc0 = vec4f(0.0);
    var acc1 = vec4f(0.0);
    var acc2 = vec4f(0.0);
    var acc3 = vec4f(0.0);
    for (var k0 = k_begin; k0 < k_end; k0 += TILE_K) {
      for (var l = t; l < loads; l += INVOCATIONS) {
        if (l < a_loads) {
          // Entry l of A: rows group * 4.. at k0 + kk, k fastest so neighbours read along k.
          let group = l / TILE_K;
          let kk = l % TILE_K;
          let r = tile_row + group * 4u;
          let k = k0 + kk;
          tile_a[kk * (TM / 4u) + group] = vec4f(
            a_at(g, r, k, rows, k_end), a_at(g, r + 1u, k, rows, k_end),
            a_at(g, r + 2u, k, rows, k_end), a_at(g, r + 3u, k, rows, k_end));
        } else {
          let group = (l - a_loads) / TILE_K;
          let kk = (l - a_loads) % TILE_K;
          let c = tile_col + group * 4u;
          let k = k0 + kk;
          tile_b[kk * (TN / 4u) + group] = vec4f(
            b_at(g, k, c, cols, k_end), b_at(g, k, c + 1u, cols, k_end),
            b_at(g, k, c + 2u, cols, k_end), b_at(g, k, c + 3u, cols, k_end));
        }
      }
      workgroupBarrier();
      for (var kk = 0u; kk < TILE_K; kk++) {
        let av = tile_a[kk * (TM / 4u) + row_group];
        let bv = tile_b[kk * (TN / 4u) + col_group];
        acc0 += av.x * bv;
        acc1 += av.y * bv;
        acc2 += av.z * bv;
        acc3 += av.w * bv;
      }
      workgroupBarrier();
    }
    let row0 = tile_row + row_group * 4u;
    let col0 = tile_col + col_group * 4u;
    store(g, chunk, row0, col0, rows, cols, acc0);
    store(g, chunk, row0 + 1u, col0, rows, cols, acc1);
    store(g, chunk, row0 + 2u, col0, rows, cols, acc2);
    store(g, chunk, row0 + 3u, col0, rows, cols, acc3);
  }
}
