// ReLU on any shape, flat: forward out = x where x > 0 (NaN kept, as PyTorch) else 0; BACKWARD
// out (+)= dy where y > 0 (0 at exactly 0, like threshold_backward). Four consecutive elements per invocation
// (fewer invocations: each costs more than this work on SwiftShader).

struct Params {
  count: u32,
  accumulate: u32,  // backward: add into out (a later gradient contribution) instead of writing it
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;   // forward: x; backward: y (the forward output)
@group(0) @binding(1) var<storage, read> dy: array<f32>;  // backward only
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

override BACKWARD: bool = false;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let first = ((wid.x + groups.x * (wid.y + groups.y * wid.z)) * 64u + lid) * 4u;
  let last = min(first + 4u, params.count);
  for (var i = first; i < last; i++) {
    let v = a[i];
    if (BACKWARD) {
      let g = select(0.0, dy[i], v > 0.0);
      out[i] = select(g, out[i] + g, params.accumulate != 0u);
    } else {
      // NOTE: v != v is the NaN test; NaN passes through as in PyTorch.
      out[i] = select(0.0, v, v > 0.0 || v != v);
    }
  }
}
