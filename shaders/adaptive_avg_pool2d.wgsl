// Adaptive average pooling, x (N, C, H, W) -> y (N, C, OH, OW) over PyTorch's windows
// [floor(o * size / out), ceil((o + 1) * size / out)). Forward: one invocation per output. BACKWARD: one
// invocation per input element, gathering dy / area from every window that covers it (fixed order).

struct Params {
  planes: u32,  // N * C
  h: u32, w: u32, oh: u32, ow: u32,
  accumulate: u32,
  _pad0: u32, _pad1: u32,
}

@group(0) @binding(0) var<storage, read> src: array<f32>;  // forward: x; backward: dy
@group(0) @binding(1) var<storage, read_write> out: array<f32>;  // forward: y; backward: dx
@group(0) @binding(2) var<uniform> params: Params;

override BACKWARD: bool = false;

fn window(o: u32, out_size: u32, size: u32) -> vec2u {
  return vec2u((o * size) / out_size, ((o + 1u) * size + out_size - 1u) / out_size);
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + groups.x * (wid.y + groups.y * wid.z)) * 64u + lid;
  let HW = params.h * params.w;
  let P = params.oh * params.ow;
  if (BACKWARD) {
    if (i >= params.planes * HW) { return; }
    let p = i / HW;
    let h = (i % HW) / params.w;
    let w = i % params.w;
    var s = 0.0;
    for (var oh = 0u; oh < params.oh; oh++) {
      let r = window(oh, params.oh, params.h);
      if (r.x > h) { break; }
      if (h >= r.y) { continue; }
      for (var ow = 0u; ow < params.ow; ow++) {
        let c = window(ow, params.ow, params.w);
        if (c.x > w) { break; }
        if (w >= c.y) { continue; }
        s += src[(p * params.oh + oh) * params.ow + ow] / f32((r.y - r.x) * (c.y - c.x));
      }
    }
    out[i] = select(s, out[i] + s, params.accumulate != 0u);
  } else {
    if (i >= params.planes * P) { return; }
    let plane = (i / P) * HW;
    let r = window((i % P) / params.ow, params.oh, params.h);
    let c = window(i % params.ow, params.ow, params.w);
    var s = 0.0;
    for (var h = r.x; h < r.y; h++) {
      for (var w = c.x; w < c.y; w++) { s += src[plane + h * params.w + w]; }
    }
    out[i] = s / f32((r.y - r.x) * (c.y - c.x));
  }
}
