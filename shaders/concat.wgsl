// Strided block copy for concat along dimension 1: for each of `outer` rows (the batch), `inner` values
// out[n * out_stride + out_offset + j] (+)= src[n * in_stride + in_offset + j]. Forward copies x_i (N, C_i, S)
// into y (N, C, S) at channel offset; backward copies the slice of dy (N, C, S) into dx_i. Flat launch.

struct Params {
  outer: u32,
  inner: u32,
  in_stride: u32,
  in_offset: u32,
  out_stride: u32,
  out_offset: u32,
  accumulate: u32,
  _pad0: u32,
}

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + groups.x * (wid.y + groups.y * wid.z)) * 64u + lid;
  if (i >= params.outer * params.inner) { return; }
  let n = i / params.inner;
  let j = i % params.inner;
  let o = n * params.out_stride + params.out_offset + j;
  let v = src[n * params.in_stride + params.in_offset + j];
  out[o] = select(v, out[o] + v, params.accumulate != 0u);
}
