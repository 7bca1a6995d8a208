// Conv2d forward as an implicit GEMM over a channels-last input: x (N, Hp, Wp, G, CP) padded (from
// conv2d_channels_last), weight relaid out by conv2d_weights (layout 3) as wf (G, KH*KW, CP, OGP), bias (O) ->
// y (N, O, OH, OW). Each invocation computes OB output channels (vec4 registers) x PB output positions
// (flattened over N*OH*OW; 8 when OB <= 8, so 16 vec4 accumulators either way); per kernel position and block of
// 4 input channels it loads one vec4 of x per position and one vec4 of weights per 4 output channels and
// channel: vector loads only, where conv2d.wgsl
// gathers x one value at a time. Also the stride-1 input gradient (dy padded, the flipped kernel, layout 4).
// Register blocking, no workgroup memory, no barriers. Grid: x = position blocks (grid-stride), y = G * o_blocks.
// NOTE: the 4-channel body (loads and multiply-adds) is unrolled text (the CHANNELS placeholder, from
// conv2d-unroll.ts). Where the device runs subgroups of 4 (ctx.subgroupLoads) the ENABLE, LANE, OFFSETS and MORE
// placeholders turn on subgroups: the 4 lanes of a subgroup share the workgroup's output block, so each loads a
// quarter of the weight vec4s all four need and subgroupBroadcast hands them round (on SwiftShader every load is a
// gather; this cut the 32 -> 32 3x3 forward 397 -> 316 ms at batch 64); lanes past the end run on clamped.

{{ENABLE}}
struct Params {
  hp: u32, wp: u32, oh: u32, ow: u32,
  o: u32, og: u32, groups: u32, cp: u32,
  ogp: u32, o_blocks: u32, has_bias: u32, accumulate: u32,
  positions: u32, taps: u32, _pad0: u32, _pad1: u32,
}

@group(0) @binding(0) var<storage, read> x: array<vec4f>;
@group(0) @binding(1) var<storage, read> wf: array<vec4f>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

override OB: u32 = 16u;  // output channels per invocation: 4, 8 or 16
override PB: u32 = 4u;   // output positions per invocation: 4, or 8 when OB <= 8
override KW: u32 = 3u;
override SH: u32 = 1u;
override SW: u32 = 1u;
override DH: u32 = 1u;
override DW: u32 = 1u;
const WG = 64u;

// Writes y at one output position for the 4 channels o_local..o_local+3 of group g (those inside the group).
fn store(q: u32, n: u32, r: u32, g: u32, o_local: u32, v: vec4f) {
  let P = params.oh * params.ow;
  if (q >= params.positions || o_local >= params.og) { return; }
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
  let total = params.positions;
  let blocks = (total + PB - 1u) / PB;
  let g = gid.y / params.o_blocks;
  let ob = gid.y % params.o_blocks;
  // vec4s per position of x, per input channel row of wf, and input channel blocks.
  let row = params.groups * params.cp / 4u;
  let orow = params.ogp / 4u;
  let c_blocks = params.cp / 4u;
{{OFFSETS}}
  for (var pb = gid.x; {{MORE}}; pb += nwg.x * WG) {
    let q = vec4u(pb * PB) + vec4u(0u, 1u, 2u, 3u);
    let qc = min(q, vec4u(total - 1u));
    let n = qc / P;
    let r = qc % P;
    // Each position's window origin in x, at this group's first channel block.
    let base = ((n * params.hp + (r / params.ow) * SH) * params.wp + (r % params.ow) * SW) * row +
      vec4u(g * c_blocks);
    // Positions 4-7 of the block when PB == 8 (unused otherwise).
    let q2 = q + vec4u(4u);
    let qc2 = min(q2, vec4u(total - 1u));
    let n2 = qc2 / P;
    let r2 = qc2 % P;
    let base2 = ((n2 * params.hp + (r2 / params.ow) * SH) * params.wp + (r2 % params.ow) * SW) * row +
      vec4u(g * c_blocks);
    // a_j, b_j, c_j, d_j: output channels 0-3, 4-7, 8-11, 12-15 of the block at position j (PB == 4); with
    // PB == 8, a_j and b_j channels 0-3 and 4-7 at position j, c_j and d_j the same at position 4 + j.
    var a0 = vec4f(0.0); var a1 = vec4f(0.0); var a2 = vec4f(0.0); var a3 = vec4f(0.0);
    var b0 = vec4f(0.0); var b1 = vec4f(0.0); var b2 = vec4f(0.0); var b3 = vec4f(0.0);
    var c0 = vec4f(0.0); var c1 = vec4f(0.0); var c2 = vec4f(0.0); var c3 = vec4f(0.0);
    var d0 = vec4f(0.0); var d1 = vec4f(0.0); var d2 = vec4f(0.0); var d3 = vec4f(0.0);
    var wi = g * params.taps * params.cp * orow + ob * (OB / 4u);
    for (var tap = 0u; tap < params.taps; tap++) {
      let offset = vec4u(((tap / KW) * DH * params.wp + (tap % KW) * DW) * row);
      let at = base + offset;
      let at2 = base2 + offset;
      for (var cb = 0u; cb < c_blocks; cb++) {
{{CHANNELS}}
      }
    }
    let o_local = ob * OB;
    // The accumulators stored (generated text: the STORES placeholder, from conv2d-unroll.ts).
{{STORES}}
  }
}
