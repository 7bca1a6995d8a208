// BatchNorm input gradient, x and dy (N, C, S) -> dx (N, C, S). With batch statistics
// dx = weight * invstd * (dy - mean(dy) - xhat * mean(dy * xhat)); with running statistics (eval)
// dx = weight * invstd * dy. The per-channel sums come from batch_norm_backward_sums. One element T per
// invocation: vec4f when S is a multiple of 4, else f32 ({{T}}); count and s are in T units (m is not). When
// `gridded`, on a grid x = s / 64, y = c, z = n (grid-stride), so no invocation divides; else flat.

alias T = {{T}};

struct Params {
  count: u32,
  c: u32,
  s: u32,
  m: u32,  // N * S, values per channel
  batch_stats: u32,
  affine: u32,
  accumulate: u32,
  n: u32,
  gridded: u32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<storage, read> x: array<T>;
@group(0) @binding(1) var<storage, read> dy: array<T>;
@group(0) @binding(2) var<storage, read> mean: array<f32>;
@group(0) @binding(3) var<storage, read> invstd: array<f32>;
@group(0) @binding(4) var<storage, read> weight: array<f32>;
@group(0) @binding(5) var<storage, read> sums: array<f32>;
@group(0) @binding(6) var<storage, read_write> dx: array<T>;
@group(0) @binding(7) var<uniform> params: Params;

// dx (+)= at elements first..last-1 of channel ch.
// dx at elements i0, i0 + stride, ... (count of them) of channel ch: the channel's constants read once.
fn apply(i0: u32, stride: u32, count: u32, ch: u32) {
  let inv = invstd[ch];
  var scale = inv;
  if (params.affine != 0u) { scale *= weight[ch]; }
  let m = f32(params.m);
  let mu = mean[ch];
  let dy_mean = sums[2u * ch] / m;
  let dot_mean = sums[2u * ch + 1u] / m;
  let batch_stats = params.batch_stats != 0u;
  let accumulate = params.accumulate != 0u;
  var i = i0;
  for (var k = 0u; k < count; k++) {
    var g = dy[i];
    if (batch_stats) { g = g - dy_mean - (x[i] - mu) * inv * dot_mean; }
    let v = scale * g;
    if (accumulate) { dx[i] += v; } else { dx[i] = v; }
    i += stride;
  }
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32, @builtin(global_invocation_id) gid: vec3u) {
  if (params.gridded != 0u) {
    // Samples gid.z, gid.z + groups.z, ...: one run per invocation.
    if (gid.x >= params.s || gid.z >= params.n) { return; }
    let runs = (params.n - gid.z + groups.z - 1u) / groups.z;
    apply((gid.z * params.c + gid.y) * params.s + gid.x, groups.z * params.c * params.s, runs, gid.y);
    return;
  }
  let i = (wid.x + groups.x * (wid.y + groups.y * wid.z)) * 64u + lid;
  if (i < params.count) { apply(i, 0u, 1u, (i / params.s) % params.c); }
}
