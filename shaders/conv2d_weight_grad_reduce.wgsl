// Conv2d weight (and bias) gradient, second pass: sums the partials of conv2d_weight_grad (or, when
// channels_last, of conv2d_weight_grad_cl) over the chunks in chunk order (deterministic) into dweight
// (O, Cg, KH, KW) (+)= and dbias (O) (+)=. One invocation per (g, output channel in group, column), column K
// being the bias. Flat launch.

struct Params {
  og: u32,
  groups: u32,
  k: u32,          // Cg * KH * KW
  has_bias: u32,
  has_weight: u32,
  o_blocks: u32,
  t_blocks: u32,
  chunks: u32,
  accumulate_weight: u32,
  accumulate_bias: u32,
  ob: u32,          // output channels per partial block (the OB of the first pass)
  channels_last: u32,
  cb: u32,          // channels_last: input channels per tap block, and blocks per kernel position
  c_blocks: u32,
  taps: u32,        // KH * KW
  _pad0: u32,
}

@group(0) @binding(0) var<storage, read> partial: array<f32>;
@group(0) @binding(1) var<storage, read_write> dweight: array<f32>;
@group(0) @binding(2) var<storage, read_write> dbias: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + groups.x * (wid.y + groups.y * wid.z)) * 64u + lid;
  let cols = params.k + 1u;
  if (i >= params.groups * params.og * cols) { return; }
  let col = i % cols;
  let o_local = (i / cols) % params.og;
  let g = i / (cols * params.og);
  if (col == params.k && params.has_bias == 0u) { return; }
  if (col < params.k && params.has_weight == 0u) { return; }
  let OB = params.ob;
  let row_block = g * params.o_blocks + o_local / OB;
  var at: u32;
  var stride: u32;
  if (params.channels_last == 0u) {
    // Blocks of 4 columns, each OB channels.
    at = (row_block * params.t_blocks + col / 4u) * OB * 4u + (col % 4u) * OB + o_local % OB;
    stride = params.groups * params.o_blocks * params.t_blocks * OB * 4u;
  } else {
    // Blocks of CB input channels at one kernel position (then the bias row, read from block 0), each OB
    // channels; column col = c * taps + tap.
    let rows = params.cb + 1u;
    let c = col / params.taps;
    let tb = select((col % params.taps) * params.c_blocks + c / params.cb, 0u, col == params.k);
    let row = select(c % params.cb, params.cb, col == params.k);
    at = ((row_block * params.t_blocks + tb) * rows + row) * OB + o_local % OB;
    stride = params.groups * params.o_blocks * params.t_blocks * rows * OB;
  }
  var s = 0.0;
  for (var chunk = 0u; chunk < params.chunks; chunk++) { s += partial[chunk * stride + at]; }
  let o = g * params.og + o_local;
  if (col < params.k) {
    let w = o * params.k + col;
    dweight[w] = select(s, dweight[w] + s, params.accumulate_weight != 0u);
  } else {
    dbias[o] = select(s, dbias[o] + s, params.accumulate_bias != 0u);
  }
}
