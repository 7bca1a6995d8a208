// Split-K reduction: out[b, i] (+)= sum over chunks s, in chunk order, of partials[b * splits + s, i], plus
// bias[i % N] (deterministic: a fixed order, no atomics). The matmul kernels wrote the partials with SPLIT_K.
// One invocation per output element (flat over batch x M x N; the grid is folded when large).

struct Params {
  size: u32,              // M * N, one product
  n: u32,
  splits: u32,
  count: u32,             // batch * M * N
  batch_stride_out: u32,
  has_bias: u32,
  accumulate: u32,
  _pad0: u32,
}

@group(0) @binding(0) var<storage, read> partials: array<f32>;
@group(0) @binding(1) var<storage, read> bias: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let flat = (wid.x + groups.x * (wid.y + groups.y * wid.z)) * 64u + lid;
  if (flat >= params.count) { return; }
  let entry = flat / params.size;
  let i = flat % params.size;
  var at = entry * params.splits * params.size + i;
  var s = 0.0;
  for (var chunk = 0u; chunk < params.splits; chunk++) {
    s += partials[at];
    at += params.size;
  }
  if (params.has_bias != 0u) { s += bias[i % params.n]; }
  let o = entry * params.batch_stride_out + i;
  out[o] = select(s, out[o] + s, params.accumulate != 0u);
}
