// Max pooling, x (N, C, H, W) -> y (N, C, OH, OW) with indices (N, C, OH, OW) int32 = h * W + w of each
// maximum within its input plane. Forward: one invocation per output position. BACKWARD: one per input
// position, gathering dy from every window whose recorded maximum is that element (no atomics, fixed order).
// The window and the plane sizes are specialised (override constants: divisions by constants, unrollable
// loops). Four consecutive outputs (forward) or inputs (backward) per invocation, flat over N * C planes; the
// grid is folded when large. NOTE: a 16 x 4 grid per plane left most of each workgroup idle on LeNet's 14x14
// and 5x5 planes; flat, only the last invocation of all can be short.

struct Params {
  planes: u32,  // N * C
  h: u32, w: u32, oh: u32, ow: u32,
  accumulate: u32,
  _pad0: u32, _pad1: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;           // backward: dy (N, C, OH, OW)
@group(0) @binding(1) var<storage, read_write> indices: array<i32>;  // written forward, read backward
@group(0) @binding(2) var<storage, read_write> out: array<f32>;   // forward: y; backward: dx (N, C, H, W)
@group(0) @binding(3) var<uniform> params: Params;

override BACKWARD: bool = false;
override KH: i32 = 2;
override KW: i32 = 2;
override SH: i32 = 2;
override SW: i32 = 2;
override PH: i32 = 0;
override PW: i32 = 0;
override DH: i32 = 1;
override DW: i32 = 1;
override IN_H: u32 = 1u;   // H
override IN_W: u32 = 1u;   // W
override OUT_H: u32 = 1u;  // OH
override OUT_W: u32 = 1u;  // OW

fn forward(oh: i32, ow: i32, plane: u32) {
  let H = i32(params.h);
  let W = i32(params.w);
  let base = plane * params.h * params.w;
  // NOTE: padding counts as -inf (the first element inside the window is taken whatever its value); the first
  // maximum in window order wins; a NaN wins over everything.
  var best = -0x1.fffffep+127f;  // -FLT_MAX; only a window entirely in the padding keeps it
  var at = -1;
  for (var i = 0; i < KH; i++) {
    let h = oh * SH - PH + i * DH;
    if (h < 0 || h >= H) { continue; }
    for (var j = 0; j < KW; j++) {
      let w = ow * SW - PW + j * DW;
      if (w < 0 || w >= W) { continue; }
      let v = x[base + u32(h * W + w)];
      if (v > best || v != v || at < 0) {
        best = v;
        at = h * W + w;
        if (v != v) { break; }
      }
    }
    if (best != best) { break; }
  }
  let o = (plane * params.oh + u32(oh)) * params.ow + u32(ow);
  out[o] = best;
  indices[o] = at;
}

fn backward(h: i32, w: i32, plane: u32) {
  let here = h * i32(params.w) + w;
  var s = 0.0;
  if (KH == SH && KW == SW && PH == 0 && PW == 0 && DH == 1 && DW == 1) {
    // Windows that tile the plane (2x2 stride 2, LeNet's and VGG's): the one window over (h, w), if any.
    let oh = u32(h) / u32(SH);
    let ow = u32(w) / u32(SW);
    if (oh < OUT_H && ow < OUT_W) {
      let o = (plane * OUT_H + oh) * OUT_W + ow;
      if (indices[o] == here) { s += x[o]; }
    }
    let i = (plane * IN_H + u32(h)) * IN_W + u32(w);
    out[i] = select(s, out[i] + s, params.accumulate != 0u);
    return;
  }
  for (var i = 0; i < KH; i++) {
    let nh = h + PH - i * DH;
    if (nh < 0 || nh % SH != 0 || nh / SH >= i32(params.oh)) { continue; }
    for (var j = 0; j < KW; j++) {
      let nw = w + PW - j * DW;
      if (nw < 0 || nw % SW != 0 || nw / SW >= i32(params.ow)) { continue; }
      let o = (plane * params.oh + u32(nh / SH)) * params.ow + u32(nw / SW);
      if (indices[o] == here) { s += x[o]; }
    }
  }
  let i = (plane * params.h + u32(h)) * params.w + u32(w);
  out[i] = select(s, out[i] + s, params.accumulate != 0u);
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let first = ((wid.x + nwg.x * (wid.y + nwg.y * wid.z)) * 64u + lid) * 4u;
  if (BACKWARD) {
    let last = min(first + 4u, params.planes * IN_H * IN_W);
    for (var i = first; i < last; i++) {
      let r = i % (IN_H * IN_W);
      backward(i32(r / IN_W), i32(r % IN_W), i / (IN_H * IN_W));
    }
  } else {
    let last = min(first + 4u, params.planes * OUT_H * OUT_W);
    for (var i = first; i < last; i++) {
      let r = i % (OUT_H * OUT_W);
      forward(i32(r / OUT_W), i32(r % OUT_W), i / (OUT_H * OUT_W));
    }
  }
}
