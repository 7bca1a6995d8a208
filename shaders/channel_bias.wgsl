// A per-channel bias on (N, C, S), S = product of later dimensions. Forward: y[n, c, s] += bias[c], one
// invocation per element. BACKWARD: dbias[c] (+)= sum over n, s of dy[n, c, s], one invocation per channel
// summing in a fixed order (no atomics). Used by conv_transpose2d, whose conv2d passes carry no bias.

struct Params {
  n: u32,
  c: u32,
  s: u32,
  accumulate: u32,  // backward: add into dbias instead of writing it
}

@group(0) @binding(0) var<storage, read> src: array<f32>;  // forward: bias (C); backward: dy (N, C, S)
@group(0) @binding(1) var<storage, read_write> out: array<f32>;  // forward: y (N, C, S); backward: dbias (C)
@group(0) @binding(2) var<uniform> params: Params;

override BACKWARD: bool = false;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + groups.x * (wid.y + groups.y * wid.z)) * 64u + lid;
  let C = params.c;
  let S = params.s;
  if (BACKWARD) {
    if (i >= C) { return; }
    var acc = 0.0;
    for (var n = 0u; n < params.n; n++) {
      let base = (n * C + i) * S;
      for (var s = 0u; s < S; s++) { acc += src[base + s]; }
    }
    out[i] = select(acc, out[i] + acc, params.accumulate != 0u);
    return;
  }
  if (i >= params.n * C * S) { return; }
  out[i] += src[(i / S) % C];
}
