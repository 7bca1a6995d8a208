// Conv2d weight and bias gradient, second pass of the tiled variant: sums conv2d_tiled.wgsl's (MODE 2) partials
// (chunks, G, Og, K + 1) over the chunks in chunk order (deterministic, no atomics) into dweight (O, Cg, KH, KW)
// and, from column K, dbias (O), adding to them when asked. One invocation per (g, o, column), flat.

struct Params {
  count: u32,      // G * Og * (K + 1)
  k: u32,          // K = Cg * KH * KW
  chunks: u32,
  has_weight: u32,
  has_bias: u32,
  accumulate_weight: u32,
  accumulate_bias: u32,
  _pad0: u32,
}

@group(0) @binding(0) var<storage, read> partial: array<f32>;
@group(0) @binding(1) var<storage, read_write> dweight: array<f32>;
@group(0) @binding(2) var<storage, read_write> dbias: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + groups.x * (wid.y + groups.y * wid.z)) * 64u + lid;
  if (i >= params.count) { return; }
  let stride = params.k + 1u;
  let column = i % stride;
  let channel = i / stride;  // g * Og + o
  var s = 0.0;
  for (var chunk = 0u; chunk < params.chunks; chunk++) { s += partial[chunk * params.count + i]; }
  if (column < params.k) {
    if (params.has_weight == 0u) { return; }
    let at = channel * params.k + column;
    dweight[at] = select(s, dweight[at] + s, params.accumulate_weight != 0u);
  } else if (params.has_bias != 0u) {
    dbias[channel] = select(s, dbias[channel] + s, params.accumulate_bias != 0u);
  }
}
