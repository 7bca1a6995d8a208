// Conv2d input gradient as an implicit GEMM (no col2im buffer), dy (N, O, OH, OW), weight relaid out by
// conv2d_weights (layout 1) as wd (G, KH*KW, Og, CGP) -> dx (N, C, H, W) (+)=. Each invocation gathers CB
// input channels (vec4 registers) x 4 input positions (flattened over N*H*W): for each tap (kh, kw) the output
// position that read this input (when the stride divides), then the sum over the group's output channels.
// The window is specialised (constant divisions, unrolled taps). No atomics, no workgroup memory.
// Grid: x = position blocks (grid-stride), y = G * c_blocks.

struct Params {
  n: u32, c: u32, h: u32, w: u32,
  o: u32, oh: u32, ow: u32, og: u32,
  cg: u32, cgp: u32, ph: u32, pw: u32,
  c_blocks: u32, accumulate: u32, _pad0: u32, _pad1: u32,
}

@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read> wd: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

override CB: u32 = 8u;  // input channels per invocation: 4 or 8
override KH: u32 = 3u;
override KW: u32 = 3u;
override SH: u32 = 1u;
override SW: u32 = 1u;
override DH: u32 = 1u;
override DW: u32 = 1u;
const WG = 64u;

fn put(at: u32, v: f32) {
  dx[at] = select(v, dx[at] + v, params.accumulate != 0u);
}

// Writes dx at one input position for the 4 channels c_local..c_local+3 of group g (those inside the group).
fn store(q: u32, n: u32, r: u32, g: u32, c_local: u32, v: vec4f) {
  let HW = params.h * params.w;
  if (q >= params.n * HW || c_local >= params.cg) { return; }
  let at = (n * params.c + g * params.cg + c_local) * HW + r;
  let left = params.cg - c_local;
  put(at, v.x);
  if (left > 1u) { put(at + HW, v.y); }
  if (left > 2u) { put(at + 2u * HW, v.z); }
  if (left > 3u) { put(at + 3u * HW, v.w); }
}

// One output channel: dy at the 4 positions (0 where no output read them) times CB weights, into the accumulators.
fn gather(at: vec4u, ok: vec4<bool>, wi: u32, a0: ptr<function, vec4f>, a1: ptr<function, vec4f>,
          a2: ptr<function, vec4f>, a3: ptr<function, vec4f>, b0: ptr<function, vec4f>, b1: ptr<function, vec4f>,
          b2: ptr<function, vec4f>, b3: ptr<function, vec4f>) {
  let dv = select(vec4f(0.0), vec4f(dy[at.x], dy[at.y], dy[at.z], dy[at.w]), ok);
  let w0 = wd[wi];
  *a0 += w0 * dv.x;
  *a1 += w0 * dv.y;
  *a2 += w0 * dv.z;
  *a3 += w0 * dv.w;
  if (CB == 8u) {
    let w1 = wd[wi + 1u];
    *b0 += w1 * dv.x;
    *b1 += w1 * dv.y;
    *b2 += w1 * dv.z;
    *b3 += w1 * dv.w;
  }
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let HW = params.h * params.w;
  let P = params.oh * params.ow;
  let total = params.n * HW;
  let blocks = (total + 3u) / 4u;
  let g = gid.y / params.c_blocks;
  let cb = gid.y % params.c_blocks;
  let row = params.cgp / 4u;
  let OH = vec4i(i32(params.oh));
  let OW = vec4i(i32(params.ow));
  for (var pb = gid.x; pb < blocks; pb += nwg.x * WG) {
    let q = vec4u(pb * 4u) + vec4u(0u, 1u, 2u, 3u);
    let qc = min(q, vec4u(total - 1u));
    let n = qc / HW;
    let r = qc % HW;
    let ih = vec4i(r / params.w) + i32(params.ph);
    let iw = vec4i(r % params.w) + i32(params.pw);
    let dy_base = vec4i((n * params.o + g * params.og) * P);
    var a0 = vec4f(0.0); var a1 = vec4f(0.0); var a2 = vec4f(0.0); var a3 = vec4f(0.0);
    var b0 = vec4f(0.0); var b1 = vec4f(0.0); var b2 = vec4f(0.0); var b3 = vec4f(0.0);
    for (var kh = 0u; kh < KH; kh++) {
      let nh = ih - i32(kh * DH);
      let oh = nh / i32(SH);
      var ok_h = (nh >= vec4i(0)) & (oh < OH);
      if (SH > 1u) { ok_h = ok_h & (nh % i32(SH) == vec4i(0)); }
      for (var kw = 0u; kw < KW; kw++) {
        let nw = iw - i32(kw * DW);
        let ow = nw / i32(SW);
        var ok = ok_h & (nw >= vec4i(0)) & (ow < OW);
        if (SW > 1u) { ok = ok & (nw % i32(SW) == vec4i(0)); }
        if (!any(ok)) { continue; }
        var at = vec4u(select(vec4i(0), dy_base + oh * OW + ow, ok));
        var wi = ((g * KH + kh) * KW + kw) * params.og * row + cb * (CB / 4u);
        // NOTE: four output channels per trip, written out (SwiftShader does not unroll this loop itself).
        var o = 0u;
        for (; o + 4u <= params.og; o += 4u) {
          gather(at, ok, wi, &a0, &a1, &a2, &a3, &b0, &b1, &b2, &b3);
          gather(at + vec4u(P), ok, wi + row, &a0, &a1, &a2, &a3, &b0, &b1, &b2, &b3);
          gather(at + vec4u(2u * P), ok, wi + 2u * row, &a0, &a1, &a2, &a3, &b0, &b1, &b2, &b3);
          gather(at + vec4u(3u * P), ok, wi + 3u * row, &a0, &a1, &a2, &a3, &b0, &b1, &b2, &b3);
          wi += 4u * row;
          at += vec4u(4u * P);
        }
        for (; o < params.og; o++) {
          gather(at, ok, wi, &a0, &a1, &a2, &a3, &b0, &b1, &b2, &b3);
          wi += row;
          at += vec4u(P);
        }
      }
    }
    let c_local = cb * CB;
    store(q.x, n.x, r.x, g, c_local, a0);
    store(q.y, n.y, r.y, g, c_local, a1);
    store(q.z, n.z, r.z, g, c_local, a2);
    store(q.w, n.w, r.w, g, c_local, a3);
    if (CB == 8u) {
      store(q.x, n.x, r.x, g, c_local + 4u, b0);
      store(q.y, n.y, r.y, g, c_local + 4u, b1);
      store(q.z, n.z, r.z, g, c_local + 4u, b2);
      store(q.w, n.w, r.w, g, c_local + 4u, b3);
    }
  }
}
