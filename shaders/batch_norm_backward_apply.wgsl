// BatchNorm input gradient, x and dy (N, C, S) -> dx (N, C, S). With batch statistics
// dx = weight * invstd * (dy - mean(dy) - xhat * mean(dy * xhat)); with running statistics (eval)
// dx = weight * invstd * dy. The per-channel sums come from batch_norm_backward_sums. Four consecutive elements
// per invocation: with S >= 64 on a grid x = s / 4, y = c, z = n (grid-stride), so no invocation divides;
// else flat.

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

// dx (+)= at elements first..last-1 of channel ch.
fn apply(first: u32, last: u32, ch: u32) {
  let inv = invstd[ch];
  var scale = inv;
  if (params.affine != 0u) { scale *= weight[ch]; }
  let m = f32(params.m);
  let mu = mean[ch];
  let dy_mean = sums[2u * ch] / m;
  let dot_mean = sums[2u * ch + 1u] / m;
  for (var i = first; i < last; i++) {
    var g = dy[i];
    if (params.batch_stats != 0u) { g = g - dy_mean - (x[i] - mu) * inv * dot_mean; }
    let v = scale * g;
    dx[i] = select(v, dx[i] + v, params.accumulate != 0u);
  }
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
