// Gradient clipping, pass 1 of 3 (engine/webgpu/device-steps.ts): partial sums of squares of one gradient
// tensor g (flat, count). Workgroup w sums elements [w * CHUNK, (w + 1) * CHUNK): each invocation its strided
// elements in order, then a tree over the workgroup, into partials[offset + w]. Fixed order, no atomics, so
// a rerun gives the same bits.

struct Params {
  count: u32,    // elements of g
  offset: u32,   // first partial of this tensor
  _pad0: u32,
  _pad1: u32,
}

const WORKGROUP: u32 = 256u;
const PER_INVOCATION: u32 = 16u;
const CHUNK: u32 = WORKGROUP * PER_INVOCATION;

@group(0) @binding(0) var<storage, read> g: array<f32>;
@group(0) @binding(1) var<storage, read_write> partials: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

var<workgroup> sums: array<f32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let chunk = wid.x + groups.x * (wid.y + groups.y * wid.z);
  let first = chunk * CHUNK;
  var s = 0.0;
  for (var k = 0u; k < PER_INVOCATION; k++) {
    let i = first + k * WORKGROUP + lid;
    if (i < params.count) { s += g[i] * g[i]; }
  }
  sums[lid] = s;
  workgroupBarrier();
  for (var half = WORKGROUP / 2u; half > 0u; half = half / 2u) {
    if (lid < half) { sums[lid] += sums[lid + half]; }
    workgroupBarrier();
  }
  if (lid == 0u && first < params.count) { partials[params.offset + chunk] = sums[0]; }
}
