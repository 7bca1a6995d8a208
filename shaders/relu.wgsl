// ReLU on any shape, flat: forward out = x where x > 0 (NaN kept, as PyTorch) else 0; BACKWARD
// out (+)= dy where y > 0 (0 at exactly 0, like threshold_backward). One element T per invocation: a vec4f when
// the element count is a multiple of 4 (one vector load and store instead of four scalar ones, 1.7x faster
// on SwiftShader), else f32 ({{T}}, elementType() in dispatch-plan.ts); count is in T units.

alias T = {{T}};

struct Params {
  count: u32,
  accumulate: u32,  // backward: add into out (a later gradient contribution) instead of writing it
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<storage, read> a: array<T>;   // forward: x; backward: y (the forward output)
@group(0) @binding(1) var<storage, read> dy: array<T>;  // backward only
@group(0) @binding(2) var<storage, read_write> out: array<T>;
@group(0) @binding(3) var<uniform> params: Params;

override BACKWARD: bool = false;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + groups.x * (wid.y + groups.y * wid.z)) * 64u + lid;
  if (i >= params.count) { return; }
  let v = a[i];
  if (BACKWARD) {
    let g = select(T(0.0), dy[i], v > T(0.0));
    out[i] = select(g, out[i] + g, params.accumulate != 0u);
  } else {
    // NOTE: v != v is the NaN test; NaN passes through as in PyTorch.
    out[i] = select(T(0.0), v, (v > T(0.0)) | (v != v));
  }
}
