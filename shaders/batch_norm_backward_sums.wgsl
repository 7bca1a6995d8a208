// BatchNorm backward, per channel, x and dy (N, C, S): one workgroup per channel sums dy and dy * xhat
// (xhat = (x - mean) * invstd) with strided per-thread sums and a fixed-order tree (deterministic). Writes
// dbias (+)= sum dy, dweight (+)= sum dy * xhat when bound, and both sums to `sums` (C, 2) for the dx pass.
// x and dy are read as T: vec4f when S is a multiple of 4, else f32 ({{T}}); s is in T units, and each thread
// sums its vectors' lanes at the end.

alias T = {{T}};

struct Params {
  n: u32,
  c: u32,
  s: u32,
  has_dweight: u32,
  has_dbias: u32,
  accumulate_dweight: u32,
  accumulate_dbias: u32,
  _pad0: u32,
}

@group(0) @binding(0) var<storage, read> x: array<T>;
@group(0) @binding(1) var<storage, read> dy: array<T>;
@group(0) @binding(2) var<storage, read> mean: array<f32>;
@group(0) @binding(3) var<storage, read> invstd: array<f32>;
@group(0) @binding(4) var<storage, read_write> dweight: array<f32>;
@group(0) @binding(5) var<storage, read_write> dbias: array<f32>;
@group(0) @binding(6) var<storage, read_write> sums: array<f32>;
@group(0) @binding(7) var<uniform> params: Params;

const WG = 64u;
var<workgroup> partial: array<vec2f, 64>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let ch = wid.x;
  let N = params.n;
  let C = params.c;
  let S = params.s;
  let mu = mean[ch];
  let inv = invstd[ch];
  var acc_dy = T(0.0);
  var acc_dot = T(0.0);
  if (S >= WG) {
    for (var n = 0u; n < N; n++) {
      let base = (n * C + ch) * S;
      for (var k = lid; k < S; k += WG) {
        let g = dy[base + k];
        acc_dy += g;
        acc_dot += g * (x[base + k] - mu) * inv;
      }
    }
  } else {
    for (var m = lid; m < N * S; m += WG) {
      let at = ((m / S) * C + ch) * S + m % S;
      let g = dy[at];
      acc_dy += g;
      acc_dot += g * (x[at] - mu) * inv;
    }
  }
  partial[lid] = vec2f(total(acc_dy), total(acc_dot));
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
    if (lid < stride) { partial[lid] += partial[lid + stride]; }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let total = partial[0];
    sums[2u * ch] = total.x;
    sums[2u * ch + 1u] = total.y;
    if (params.has_dbias != 0u) {
      dbias[ch] = select(total.x, dbias[ch] + total.x, params.accumulate_dbias != 0u);
    }
    if (params.has_dweight != 0u) {
      dweight[ch] = select(total.y, dweight[ch] + total.y, params.accumulate_dweight != 0u);
    }
  }
}

// The lanes of v summed.
fn total(v: T) -> f32 {
  return {{SUM}};
}
