// Softmax along dimension 1 of (N, C, S) (S = product of later dimensions, 1 for (N, F)). One invocation per
// (n, s) column walks its C values in order. Forward out = e^(x - max) / sum e^(x - max); BACKWARD
// out (+)= y * (dy - sum_c dy * y), with `a` the forward output y.

struct Params {
  columns: u32,     // N * S
  channels: u32,    // C
  inner: u32,       // S
  accumulate: u32,  // backward: add into out instead of writing it
}

@group(0) @binding(0) var<storage, read> a: array<f32>;   // forward: x; backward: y
@group(0) @binding(1) var<storage, read> dy: array<f32>;  // backward only
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

override BACKWARD: bool = false;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let column = (wid.x + groups.x * (wid.y + groups.y * wid.z)) * 64u + lid;
  if (column >= params.columns) { return; }
  let C = params.channels;
  let S = params.inner;
  let base = (column / S) * C * S + column % S;
  if (BACKWARD) {
    var dot = 0.0;
    for (var c = 0u; c < C; c++) { dot += dy[base + c * S] * a[base + c * S]; }
    for (var c = 0u; c < C; c++) {
      let i = base + c * S;
      let g = a[i] * (dy[i] - dot);
      out[i] = select(g, out[i] + g, params.accumulate != 0u);
    }
    return;
  }
  var top = a[base];
  for (var c = 1u; c < C; c++) { top = max(top, a[base + c * S]); }
  var sum = 0.0;
  for (var c = 0u; c < C; c++) { sum += exp(a[base + c * S] - top); }
  for (var c = 0u; c < C; c++) { out[base + c * S] = exp(a[base + c * S] - top) / sum; }
}
