// Upsample (nearest, bilinear) of (P = N * C planes, H, W) to (P, OH, OW) through per-axis taps computed once
// on the host (upsampleTaps in engine/compile/op-numerics.ts, PyTorch's float32 source indices): output o of an
// axis reads inputs i0, i1 with weights l0, l1 (nearest: l1 = 0). Forward: one invocation per output.
// BACKWARD: one invocation per input gathers, in a fixed order, the outputs whose taps read it (a contiguous
// range per axis, also in the table), so there are no atomics and runs repeat bit for bit.

struct Params {
  planes: u32,
  h: u32,
  w: u32,
  oh: u32,
  ow: u32,
  accumulate: u32,
  _pad0: u32,
  _pad1: u32,
}

// Rows: [0, OH) height taps (i0, i1, l0, l1); [OH, OH + OW) width taps; then H rows of height readers
// (first output, end, -, -) and W rows of width readers. Indices are exact in f32.
struct Taps {
  rows: array<vec4<f32>, {{ROWS}}>,
}

@group(0) @binding(0) var<storage, read> src: array<f32>;  // forward: x; backward: dy
@group(0) @binding(1) var<storage, read_write> out: array<f32>;  // forward: y; backward: dx
@group(0) @binding(2) var<uniform> params: Params;
@group(0) @binding(3) var<uniform> taps: Taps;

override BACKWARD: bool = false;

// The weight with which output tap t (i0, i1, l0, l1) reads input i.
fn weight(t: vec4<f32>, i: u32) -> f32 {
  return select(0.0, t.z, u32(t.x) == i) + select(0.0, t.w, u32(t.y) == i);
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let index = (wid.x + groups.x * (wid.y + groups.y * wid.z)) * 64u + lid;
  let H = params.h;
  let W = params.w;
  let OH = params.oh;
  let OW = params.ow;
  if (BACKWARD) {
    if (index >= params.planes * H * W) { return; }
    let p = index / (H * W);
    let ih = (index / W) % H;
    let iw = index % W;
    let rh = taps.rows[OH + OW + ih];
    let rw = taps.rows[OH + OW + H + iw];
    var acc = 0.0;
    for (var oh = u32(rh.x); oh < u32(rh.y); oh++) {
      let wh = weight(taps.rows[oh], ih);
      var row = 0.0;
      for (var ow = u32(rw.x); ow < u32(rw.y); ow++) {
        row += src[(p * OH + oh) * OW + ow] * weight(taps.rows[OH + ow], iw);
      }
      acc += wh * row;
    }
    out[index] = select(acc, out[index] + acc, params.accumulate != 0u);
    return;
  }
  if (index >= params.planes * OH * OW) { return; }
  let p = index / (OH * OW);
  let oh = (index / OW) % OH;
  let ow = index % OW;
  let th = taps.rows[oh];
  let tw = taps.rows[OH + ow];
  let r0 = p * H * W + u32(th.x) * W;
  let r1 = p * H * W + u32(th.y) * W;
  let a = tw.z * src[r0 + u32(tw.x)] + tw.w * src[r0 + u32(tw.y)];
  let b = tw.z * src[r1 + u32(tw.x)] + tw.w * src[r1 + u32(tw.y)];
  out[index] = th.z * a + th.w * b;
}
