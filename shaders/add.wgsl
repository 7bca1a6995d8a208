// Element-wise sum on any shape, flat: out = a (+ b) (+ out when accumulating). Add's forward (x0 + x1,
// then += x2 ...) and every gradient copy (dx (+)= dy) use it. One element T per invocation: vec4f when the
// count is a multiple of 4, else f32 ({{T}}, elementType() in dispatch-plan.ts); count is in T units.

alias T = {{T}};

struct Params {
  count: u32,
  accumulate: u32,  // add into what out holds
  has_b: u32,       // b is bound and added
  _pad0: u32,
}

@group(0) @binding(0) var<storage, read> a: array<T>;
@group(0) @binding(1) var<storage, read> b: array<T>;
@group(0) @binding(2) var<storage, read_write> out: array<T>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + groups.x * (wid.y + groups.y * wid.z)) * 64u + lid;
  if (i >= params.count) { return; }
  var v = a[i];
  if (params.has_b != 0u) { v += b[i]; }
  if (params.accumulate != 0u) { v = out[i] + v; }
  out[i] = v;
}
