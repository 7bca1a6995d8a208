// Gradient clipping, pass 3 of 3: g (flat, count) *= the coefficient pass 2 left on the device. Four
// consecutive elements per invocation. A coefficient of 1 leaves g as it was (x * 1 = x exactly).

struct Params {
  count: u32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

struct Clip {
  total: f32,
  coefficient: f32,
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<storage, read_write> g: array<f32>;
@group(0) @binding(1) var<storage, read> clip: Clip;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let first = ((wid.x + groups.x * (wid.y + groups.y * wid.z)) * 64u + lid) * 4u;
  let last = min(first + 4u, params.count);
  let coefficient = clip.coefficient;
  for (var i = first; i < last; i++) { g[i] = g[i] * coefficient; }
}
