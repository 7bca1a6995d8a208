// Conv2d weight (and bias) gradient from channels-last copies (conv2d_channels_last): x (N, Hp, Wp, G, CP)
// padded, dy (N, OH, OW, G, OP) -> partial (chunks, G, o_blocks, t_blocks, CB + 1 rows, OB channels). A tap
// block is one kernel position (kh, kw) and CB input channels, so each position costs one or two vec4 loads of
// x and of dy for CB x OB multiply-adds (the NCHW kernel, conv2d_weight_grad, gathers every value alone). Row
// CB of a partial is the sum of dy (the bias gradient; the reduce reads it from tap block 0 only). Each
// invocation walks the positions chunk * chunk_size ... of N*OH*OW in order; conv2d_weight_grad_reduce sums the
// chunks in a fixed order: deterministic, no float atomics. One invocation per (chunk, g, o block, tap block),
// flat; neighbouring invocations share a chunk, so they read the same dy. NOTE: the position body is generated
// text (the PLAIN placeholder, from conv2d-unroll.ts). Where the device runs subgroups of 4 (ctx.subgroupLoads;
// ENABLE, LANE, TOGETHER, SHARED) and the tap blocks come in fours, the 4 lanes of a subgroup share chunk and
// output block, so each lane loads dy at one of 4 positions and subgroupBroadcast hands them round: one dy load
// per 4 positions where there were four. A subgroup whose lanes do not share them (an implementation that
// groups invocations otherwise) takes the plain loop.

{{ENABLE}}
struct Params {
  hp: u32, wp: u32, oh: u32, ow: u32,
  groups: u32, cp: u32, op: u32, positions: u32,
  c_blocks: u32, o_blocks: u32, t_blocks: u32, chunk_size: u32,
  chunks: u32, _pad0: u32, _pad1: u32, _pad2: u32,
}

@group(0) @binding(0) var<storage, read> x: array<vec4f>;
@group(0) @binding(1) var<storage, read> dy: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> partial: array<vec4f>;
@group(0) @binding(3) var<uniform> params: Params;

override CB: u32 = 8u;  // input channels per invocation: 4 or 8
override OB: u32 = 8u;  // output channels per invocation: 4 or 8
override KW: u32 = 3u;
override SH: u32 = 1u;
override SW: u32 = 1u;
override DH: u32 = 1u;
override DW: u32 = 1u;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32{{LANE}}) {
  let flat = (wid.x + groups.x * (wid.y + groups.y * wid.z)) * 64u + lid;
  let per_chunk = params.groups * params.o_blocks * params.t_blocks;
  if (flat >= params.chunks * per_chunk) { return; }
  let tb = flat % params.t_blocks;
  let ob = (flat / params.t_blocks) % params.o_blocks;
  let g = (flat / (params.t_blocks * params.o_blocks)) % params.groups;
  let chunk = flat / per_chunk;
  let cb = tb % params.c_blocks;
  let tap = tb / params.c_blocks;

  // vec4s per position in each copy, and this invocation's offsets inside a position.
  let x_row = params.groups * params.cp / 4u;
  let dy_row = params.groups * params.op / 4u;
  let x_tap = ((tap / KW) * DH * params.wp + (tap % KW) * DW) * x_row + (g * params.cp + cb * CB) / 4u;
  let dy_lo = (g * params.op + ob * OB) / 4u;
  let P = params.oh * params.ow;

  let start = chunk * params.chunk_size;
  let end = min(start + params.chunk_size, params.positions);
{{TOGETHER}}
  // a_t: input channel t of the block times the 4 low output channels; b_t: the 4 high ones (OB == 8);
  // s, t: the dy sums (bias).
  var a0 = vec4f(0.0); var a1 = vec4f(0.0); var a2 = vec4f(0.0); var a3 = vec4f(0.0);
  var a4 = vec4f(0.0); var a5 = vec4f(0.0); var a6 = vec4f(0.0); var a7 = vec4f(0.0);
  var b0 = vec4f(0.0); var b1 = vec4f(0.0); var b2 = vec4f(0.0); var b3 = vec4f(0.0);
  var b4 = vec4f(0.0); var b5 = vec4f(0.0); var b6 = vec4f(0.0); var b7 = vec4f(0.0);
  var s = vec4f(0.0); var t = vec4f(0.0);
  // The chunk's positions in order, one output row segment at a time.
  var q = start;
  while (q < end) {
    let n = q / P;
    let r = q % P;
    let ow0 = r % params.ow;
    let run = min(params.ow - ow0, end - q);
    var x_at = ((n * params.hp + (r / params.ow) * SH) * params.wp + ow0 * SW) * x_row + x_tap;
    var dy_at = q * dy_row + dy_lo;
    var i = 0u;
{{SHARED}}
    for (; i < run; i++) {
{{PLAIN}}
      dy_at += dy_row;
    }
    q += run;
  }
  // Layout per invocation: input channel t (then the bias row), each OB / 4 vec4s.
  let V = OB / 4u;
  let base = flat * (CB + 1u) * V;
  partial[base] = a0;
  partial[base + V] = a1;
  partial[base + 2u * V] = a2;
  partial[base + 3u * V] = a3;
  if (CB == 8u) {
    partial[base + 4u * V] = a4;
    partial[base + 5u * V] = a5;
    partial[base + 6u * V] = a6;
    partial[base + 7u * V] = a7;
  }
  partial[base + CB * V] = s;
  if (OB == 8u) {
    partial[base + 1u] = b0;
    partial[base + V + 1u] = b1;
    partial[base + 2u * V + 1u] = b2;
    partial[base + 3u * V + 1u] = b3;
    if (CB == 8u) {
      partial[base + 4u * V + 1u] = b4;
      partial[base + 5u * V + 1u] = b5;
      partial[base + 6u * V + 1u] = b6;
      partial[base + 7u * V + 1u] = b7;
    }
    partial[base + CB * V + 1u] = t;
  }
}
