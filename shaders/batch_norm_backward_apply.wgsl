// BatchNorm input gradient, x and dy (N, C, S) -> dx (N, C, S). With batch statistics
// dx = weight * invstd * (dy - mean(dy) - xhat * mean(dy * xhat)); with running statistics (eval)
// dx = weight * invstd * dy. The per-channel sums come from batch_norm_backward_sums. One invocation per element:
// with S >= 64 on a grid x = s, y = c, z = n (grid-stride), so no invocation divides; else flat.

struct Params {
  count: u32,
  c: u32,
  s: u32,
  m: u32,  // N * S, values per channel
  batch_stats: u32,
  affine: u32,
  accumulate: u32,
  n: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> mean: array<f32>;
@group(0) @binding(3) var<storage, read> invstd: array<f32>;
@group(0) @binding(4) var<storage, read> weight: array<f32>;
@group(0) @binding(5) var<storage, read> sums: array<f32>;
@group(0) @binding(6) var<storage, read_write> dx: array<f32>;
@group(0) @binding(7) var<uniform> params: Params;

fn apply(i: u32, ch: u32) {
  let inv = invstd[ch];
  var scale = inv;
  if (params.affine != 0u) { scale *= weight[ch]; }
  var g = dy[i];
  if (params.batch_stats != 0u) {
    let m = f32(params.m);
    g = g - sums[2u * ch] / m - (x[i] - mean[ch]) * inv * (sums[2u * ch + 1u] / m);
  }
  let v = scale * g;
  dx[i] = select(v, dx[i] + v, params.accumulate != 0u);
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32, @builtin(global_invocation_id) gid: vec3u) {
  if (params.s >= 64u) {
    if (gid.x >= params.s) { return; }
    for (var n = gid.z; n < params.n; n += groups.z) { apply((n * params.c + gid.y) * params.s + gid.x, gid.y); }
    return;
  }
  let i = (wid.x + groups.x * (wid.y + groups.y * wid.z)) * 64u + lid;
  if (i >= params.count) { return; }
  apply(i, (i / params.s) % params.c);
}
