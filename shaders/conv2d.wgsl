// Conv2d forward as an implicit GEMM (no im2col buffer): x zero-padded by conv2d_pad to (N, C, Hp, Wp), weight
// relaid out by conv2d_weights (layout 0) as wf (G, Cg*KH*KW, OGP), bias (O) -> y (N, O, OH, OW). Each
// invocation computes OB output channels (vec4 registers) x PB output positions (flattened over N*OH*OW; 8 when
// OB <= 8, so 16 vec4 accumulators either way), looping
// over the taps (c, kh, kw): one vec4 weight load per 4 channels and 4 input loads per tap, no bounds checks
// (the padding is in memory). NOTE: the taps are unrolled as text ({{...}}, from conv2d-unroll.ts): SwiftShader
// does not unroll loops over override constants, and the unrolled body ran 2-3x faster there.
// With subgroups of 4 (ctx.subgroupLoads; the ENABLE, LANE and MORE placeholders) each unrolled unit's weights,
// the same in all 4 lanes of a subgroup, are loaded a quarter per lane and handed round by subgroupBroadcast.
// Register blocking, no workgroup memory, no barriers (what pays on SwiftShader). Grid: x = position blocks
// (grid-stride), y = G * o_blocks. Also the stride-1 input gradient: dy padded, the flipped kernel, y = dx (+)=.

{{ENABLE}}
struct Params {
  n: u32, c: u32, hp: u32, wp: u32,
  o: u32, oh: u32, ow: u32, og: u32,
  cg: u32, ogp: u32, has_bias: u32, o_blocks: u32,
  accumulate: u32, _pad0: u32, _pad1: u32, _pad2: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> wf: array<vec4f>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

override OB: u32 = 8u;  // output channels per invocation: 4, 8 or 16
override PB: u32 = 4u;  // output positions per invocation: 4, or 8 when OB <= 8
override KH: u32 = 3u;  // the tap loop over kernel rows when the unit unrolled is one row
override SH: u32 = 1u;
override SW: u32 = 1u;
const WG = 64u;

// Writes y at one output position for the 4 channels o_local..o_local+3 of group g (those inside the group).
fn store(q: u32, n: u32, r: u32, g: u32, o_local: u32, v: vec4f) {
  let P = params.oh * params.ow;
  if (q >= params.n * P || o_local >= params.og) { return; }
  let o0 = g * params.og + o_local;
  var b = vec4f(0.0);
  if (params.has_bias != 0u) {
    let last = params.o - 1u;
    b = vec4f(bias[min(o0, last)], bias[min(o0 + 1u, last)], bias[min(o0 + 2u, last)], bias[min(o0 + 3u, last)]);
  }
  let out = v + b;
  let at = (n * params.o + o0) * P + r;
  let left = params.og - o_local;
  put(at, out.x);
  if (left > 1u) { put(at + P, out.y); }
  if (left > 2u) { put(at + 2u * P, out.z); }
  if (left > 3u) { put(at + 3u * P, out.w); }
}

fn put(at: u32, v: f32) {
  y[at] = select(v, y[at] + v, params.accumulate != 0u);
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u{{LANE}}) {
  let P = params.oh * params.ow;
  let total = params.n * P;
  let blocks = (total + PB - 1u) / PB;
  let g = gid.y / params.o_blocks;
  let ob = gid.y % params.o_blocks;
  let plane = params.hp * params.wp;
  let K = params.cg * {{KERNEL_TAPS}}u;
  let row_step = params.wp;
  let row = params.ogp / 4u;
  for (var pb = gid.x; {{MORE}}; pb += nwg.x * WG) {
    let q = vec4u(pb * PB) + vec4u(0u, 1u, 2u, 3u);
    let qc = min(q, vec4u(total - 1u));
    let n = qc / P;
    let r = qc % P;
    // Top-left tap of each position's window in the padded input.
    var base = (n * params.c + g * params.cg) * plane + (r / params.ow) * SH * params.wp + (r % params.ow) * SW;
    // Positions 4-7 of the block when PB == 8 (unused otherwise).
    let q2 = q + vec4u(4u);
    let qc2 = min(q2, vec4u(total - 1u));
    let n2 = qc2 / P;
    let r2 = qc2 % P;
    var base2 = (n2 * params.c + g * params.cg) * plane + (r2 / params.ow) * SH * params.wp + (r2 % params.ow) * SW;
    var wi = g * K * row + ob * (OB / 4u);
    // a_j, b_j, c_j, d_j: channels 0-3, 4-7, 8-11, 12-15 of the block at position j (PB == 4); with PB == 8,
    // a_j and b_j channels 0-3 and 4-7 at position j, c_j and d_j the same at position 4 + j.
    var a0 = vec4f(0.0); var a1 = vec4f(0.0); var a2 = vec4f(0.0); var a3 = vec4f(0.0);
    var b0 = vec4f(0.0); var b1 = vec4f(0.0); var b2 = vec4f(0.0); var b3 = vec4f(0.0);
    var c0 = vec4f(0.0); var c1 = vec4f(0.0); var c2 = vec4f(0.0); var c3 = vec4f(0.0);
    var d0 = vec4f(0.0); var d1 = vec4f(0.0); var d2 = vec4f(0.0); var d3 = vec4f(0.0);
    // The taps are unrolled text (conv2d-unroll.ts): {{LOOP}}.
{{TAPS}}
    let o_local = ob * OB;
    // The accumulators stored (generated text: the STORES placeholder, from conv2d-unroll.ts).
{{STORES}}
  }
}
