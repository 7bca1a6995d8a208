// Conv2d weight (and bias) gradient, first pass: partial sums over chunks of the batch*spatial reduction.
// x zero-padded by conv2d_pad to (N, C, Hp, Wp), dy (N, O, OH, OW) -> partial (chunks, G, o_blocks, t_blocks,
// 4 taps, OB channels), where a tap k < K = Cg*KH*KW is weight column (c, kh, kw) and tap K (when has_bias)
// is the bias (an input of 1). Each invocation owns OB output channels (vec4 registers) x 4 taps and walks the
// positions chunk * chunk_size ... of N*OH*OW in order; conv2d_weight_grad_reduce then sums the chunks in a
// fixed order: deterministic, no float atomics. The window is specialised. One invocation per (chunk, g,
// o block, tap block), flat; neighbouring invocations share a chunk, so they read the same dy.
// NOTE: the position body is unrolled text ({{...}} placeholders filled by conv2d-unroll.ts).

struct Params {
  n: u32, c: u32, hp: u32, wp: u32,
  o: u32, oh: u32, ow: u32, og: u32,
  cg: u32, has_bias: u32, o_blocks: u32, t_blocks: u32,
  chunk_size: u32, chunks: u32, groups: u32, _pad0: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> partial: array<vec4f>;
@group(0) @binding(3) var<uniform> params: Params;

override OB: u32 = 8u;  // output channels per invocation: 4 or 8
override KH: u32 = 3u;
override KW: u32 = 3u;
override SH: u32 = 1u;
override SW: u32 = 1u;
override DH: u32 = 1u;
override DW: u32 = 1u;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let flat = (wid.x + groups.x * (wid.y + groups.y * wid.z)) * 64u + lid;
  let per_chunk = params.groups * params.o_blocks * params.t_blocks;
  if (flat >= params.chunks * per_chunk) { return; }
  let tb = flat % params.t_blocks;
  let ob = (flat / params.t_blocks) % params.o_blocks;
  let g = (flat / (params.t_blocks * params.o_blocks)) % params.groups;
  let chunk = flat / per_chunk;

  let wp = params.wp;
  let plane = params.hp * wp;
  let K = params.cg * KH * KW;
  let P = params.oh * params.ow;
  // The 4 taps of this block as offsets in the padded input. Dead taps (k > K, or K without bias) read a
  // valid element and are never reduced.
  let k = vec4u(tb * 4u) + vec4u(0u, 1u, 2u, 3u);
  let is_bias = (k == vec4u(K)) & vec4<bool>(params.has_bias != 0u);
  let kc = min(k, vec4u(K - 1u));
  let tap = kc % (KH * KW);
  let x_tap = (g * params.cg + kc / (KH * KW)) * plane + (tap / KW) * DH * wp + (tap % KW) * DW;
  // dy offsets of this block's channels (clamped inside the group; the extra ones are never reduced).
  let o0 = ob * OB;
  let last = params.og - 1u;
  let dy_lo = vec4u(min(o0, last), min(o0 + 1u, last), min(o0 + 2u, last), min(o0 + 3u, last)) * P;
  let dy_hi = vec4u(min(o0 + 4u, last), min(o0 + 5u, last), min(o0 + 6u, last), min(o0 + 7u, last)) * P;

  let start = chunk * params.chunk_size;
  let end = min(start + params.chunk_size, params.n * P);
  // a_t: tap t for the 4 low channels; b_t: the 4 high channels (OB == 8).
  var a0 = vec4f(0.0); var a1 = vec4f(0.0); var a2 = vec4f(0.0); var a3 = vec4f(0.0);
  var b0 = vec4f(0.0); var b1 = vec4f(0.0); var b2 = vec4f(0.0); var b3 = vec4f(0.0);
  // The chunk's positions in order, one output row segment at a time; within a segment the positions are
  // unrolled text (conv2d-unroll.ts), four per trip.
  var q = start;
  while (q < end) {
    let n = q / P;
    let ow0 = q % params.ow;
    let run = min(params.ow - ow0, end - q);
    var x_at = n * params.c * plane + ((q % P) / params.ow) * SH * wp + ow0 * SW;
    var dy_at = (n * params.o + g * params.og) * P + q % P;
    var i = 0u;
    for (; i + 4u <= run; i += 4u) {
{{POSITIONS_4}}
      x_at += 4u * SW;
      dy_at += 4u;
    }
    for (; i < run; i++) {
{{POSITIONS_1}}
      x_at += SW;
      dy_at += 1u;
    }
    q += run;
  }
  // Layout per invocation: tap t, then its OB channels (OB / 4 vec4s).
  let base = flat * OB;
  if (OB == 8u) {
    partial[base] = a0;
    partial[base + 1u] = b0;
    partial[base + 2u] = a1;
    partial[base + 3u] = b1;
    partial[base + 4u] = a2;
    partial[base + 5u] = b2;
    partial[base + 6u] = a3;
    partial[base + 7u] = b3;
  } else {
    partial[base] = a0;
    partial[base + 1u] = a1;
    partial[base + 2u] = a2;
    partial[base + 3u] = a3;
  }
}
