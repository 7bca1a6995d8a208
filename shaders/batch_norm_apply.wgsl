// BatchNorm normalisation, x (N, C, S) -> y (N, C, S): y = (x - mean[c]) * (weight[c] * invstd[c]) + bias[c],
// weight 1 and bias 0 without affine. One element T per invocation: vec4f when S is a multiple of 4 (a vector
// never straddles two channels), else f32 ({{T}}, elementType() in dispatch-plan.ts); count and s are in T
// units. When `gridded`, on a grid x = s / 64, y = c, z = n (grid-stride), so no invocation divides; else flat.

alias T = {{T}};

struct Params {
  count: u32,
  c: u32,
  s: u32,
  affine: u32,
  n: u32,
  gridded: u32,
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<storage, read> x: array<T>;
@group(0) @binding(1) var<storage, read> mean: array<f32>;
@group(0) @binding(2) var<storage, read> invstd: array<f32>;
@group(0) @binding(3) var<storage, read> weight: array<f32>;
@group(0) @binding(4) var<storage, read> bias: array<f32>;
@group(0) @binding(5) var<storage, read_write> y: array<T>;
@group(0) @binding(6) var<uniform> params: Params;

// y = (x - mean) * scale + shift at elements i0, i0 + stride, ... (count of them) of channel ch.
fn apply(i0: u32, stride: u32, count: u32, ch: u32) {
  var scale = invstd[ch];
  var shift = 0.0;
  if (params.affine != 0u) {
    scale *= weight[ch];
    shift = bias[ch];
  }
  let mu = mean[ch];
  var i = i0;
  for (var k = 0u; k < count; k++) {
    y[i] = (x[i] - mu) * scale + shift;
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
