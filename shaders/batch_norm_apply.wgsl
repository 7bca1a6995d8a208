// BatchNorm normalisation, x (N, C, S) -> y (N, C, S): y = (x - mean[c]) * (weight[c] * invstd[c]) + bias[c],
// weight 1 and bias 0 without affine. Four consecutive elements per invocation (each invocation costs more
// than this work on SwiftShader): with S >= 64 on a grid x = s / 4, y = c, z = n (grid-stride), so no
// invocation divides; else flat.

struct Params {
  count: u32,
  c: u32,
  s: u32,
  affine: u32,
  n: u32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> mean: array<f32>;
@group(0) @binding(2) var<storage, read> invstd: array<f32>;
@group(0) @binding(3) var<storage, read> weight: array<f32>;
@group(0) @binding(4) var<storage, read> bias: array<f32>;
@group(0) @binding(5) var<storage, read_write> y: array<f32>;
@group(0) @binding(6) var<uniform> params: Params;

// y = (x - mean) * scale + shift at elements first..last-1 of channel ch.
fn apply(first: u32, last: u32, ch: u32) {
  var scale = invstd[ch];
  var shift = 0.0;
  if (params.affine != 0u) {
    scale *= weight[ch];
    shift = bias[ch];
  }
  let mu = mean[ch];
  for (var i = first; i < last; i++) { y[i] = (x[i] - mu) * scale + shift; }
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32, @builtin(global_invocation_id) gid: vec3u) {
  if (params.s >= 64u) {
    let s0 = gid.x * 4u;
    if (s0 >= params.s) { return; }
    let run = min(4u, params.s - s0);
    for (var n = gid.z; n < params.n; n += groups.z) {
      let at = (n * params.c + gid.y) * params.s + s0;
      apply(at, at + run, gid.y);
    }
    return;
  }
  let first = ((wid.x + groups.x * (wid.y + groups.y * wid.z)) * 64u + lid) * 4u;
  let last = min(first + 4u, params.count);
  for (var i = first; i < last; i++) { apply(i, i + 1u, (i / params.s) % params.c); }
}
