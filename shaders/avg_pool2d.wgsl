// Average pooling, x (N, C, H, W) -> y (N, C, OH, OW), windows and divisors as PyTorch's avg_pool2d
// (count_include_pad, ceil_mode). Forward: one invocation per output. BACKWARD: one invocation per input
// element, gathering dy / count from every window that covers it (fixed order, no atomics).

struct Params {
  planes: u32,  // N * C
  h: u32, w: u32, oh: u32, ow: u32,
  kh: u32, kw: u32, sh: u32, sw: u32,
  ph: u32, pw: u32,
  count_include_pad: u32,
  accumulate: u32,
  _pad0: u32, _pad1: u32, _pad2: u32,
}

@group(0) @binding(0) var<storage, read> src: array<f32>;  // forward: x; backward: dy
@group(0) @binding(1) var<storage, read_write> out: array<f32>;  // forward: y; backward: dx
@group(0) @binding(2) var<uniform> params: Params;

override BACKWARD: bool = false;

// Window o along an axis: [from, to) clipped to the input, and its size counting padding (never past the
// padded edge, which ceil_mode can reach).
fn window(o: u32, kernel: u32, stride: u32, padding: u32, size: u32) -> vec3i {
  let start = i32(o * stride) - i32(padding);
  let end = min(start + i32(kernel), i32(size + padding));
  return vec3i(max(start, 0), min(end, i32(size)), end - start);
}

fn divisor(r: vec3i, c: vec3i) -> f32 {
  if (params.count_include_pad != 0u) { return f32(r.z * c.z); }
  return f32((r.y - r.x) * (c.y - c.x));
}

fn forward(i: u32) {
  let P = params.oh * params.ow;
  let plane = (i / P) * params.h * params.w;
  let r = window((i % P) / params.ow, params.kh, params.sh, params.ph, params.h);
  let c = window(i % params.ow, params.kw, params.sw, params.pw, params.w);
  var s = 0.0;
  for (var h = r.x; h < r.y; h++) {
    for (var w = c.x; w < c.y; w++) { s += src[plane + u32(h) * params.w + u32(w)]; }
  }
  out[i] = s / divisor(r, c);
}

fn backward(i: u32) {
  let HW = params.h * params.w;
  let p = i / HW;
  let h = i32((i % HW) / params.w);
  let w = i32(i % params.w);
  var s = 0.0;
  for (var k_h = 0u; k_h < params.kh; k_h++) {
    let nh = h + i32(params.ph) - i32(k_h);
    if (nh < 0 || nh % i32(params.sh) != 0) { continue; }
    let oh = u32(nh) / params.sh;
    if (oh >= params.oh) { continue; }
    let r = window(oh, params.kh, params.sh, params.ph, params.h);
    for (var k_w = 0u; k_w < params.kw; k_w++) {
      let nw = w + i32(params.pw) - i32(k_w);
      if (nw < 0 || nw % i32(params.sw) != 0) { continue; }
      let ow = u32(nw) / params.sw;
      if (ow >= params.ow) { continue; }
      let c = window(ow, params.kw, params.sw, params.pw, params.w);
      s += src[(p * params.oh + oh) * params.ow + ow] / divisor(r, c);
    }
  }
  out[i] = select(s, out[i] + s, params.accumulate != 0u);
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + groups.x * (wid.y + groups.y * wid.z)) * 64u + lid;
  if (BACKWARD) {
    if (i >= params.planes * params.h * params.w) { return; }
    backward(i);
  } else {
    if (i >= params.planes * params.oh * params.ow) { return; }
    forward(i);
  }
}
