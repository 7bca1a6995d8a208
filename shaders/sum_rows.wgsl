// Column sums of a row-major matrix (R, J): out[j] (+)= sum over r of src[r * J + j], summed in row order
// (deterministic). Linear's bias gradient: dbias (O) = sum over the batch of dy (N, O). One invocation per column.

struct Params {
  rows: u32,
  cols: u32,
  accumulate: u32,
  _pad0: u32,
}

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let j = (wid.x + groups.x * (wid.y + groups.y * wid.z)) * 64u + lid;
  if (j >= params.cols) { return; }
  var s = 0.0;
  for (var r = 0u; r < params.rows; r++) { s += src[r * params.cols + j]; }
  out[j] = select(s, out[j] + s, params.accumulate != 0u);
}
