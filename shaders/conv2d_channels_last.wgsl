// Channels-last copy for the conv weight gradient: x (N, C, H, W) -> out (N, Hp, Wp, G, CP), zero-padded by
// top and left (and up to Hp, Wp) and, per group, from Cg to CP channels (a multiple of 4), so
// conv2d_weight_grad_cl reads 4 channels of one position as one vec4 and every tap without bounds checks. Also
// dy (no padding, G groups of Og channels). One invocation per output position, writing its G * CP channels as
// vec4s (index arithmetic once per position: SwiftShader's integer divisions are slow). Flat (folded) launch.

struct Params {
  n: u32, c: u32, h: u32, w: u32,
  hp: u32, wp: u32, top: u32, left: u32,
  groups: u32, cg: u32, cp: u32, _pad0: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<vec4f>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let position = (wid.x + groups.x * (wid.y + groups.y * wid.z)) * 64u + lid;
  if (position >= params.n * params.hp * params.wp) { return; }
  let wq = position % params.wp;
  let hq = (position / params.wp) % params.hp;
  let n = position / (params.wp * params.hp);
  let blocks = params.cp / 4u;
  var at = position * params.groups * blocks;
  let inside = hq >= params.top && hq < params.top + params.h && wq >= params.left && wq < params.left + params.w;
  if (!inside) {
    for (var b = 0u; b < params.groups * blocks; b++) { out[at + b] = vec4f(0.0); }
    return;
  }
  let plane = params.h * params.w;
  let last = params.cg - 1u;
  for (var g = 0u; g < params.groups; g++) {
    // Channel c_local of group g, clamped inside the group; the padding channels are zeroed below.
    let source = (n * params.c + g * params.cg) * plane + (hq - params.top) * params.w + wq - params.left;
    for (var b = 0u; b < blocks; b++) {
      let c = vec4u(b * 4u) + vec4u(0u, 1u, 2u, 3u);
      let s = source + min(c, vec4u(last)) * plane;
      let v = vec4f(x[s.x], x[s.y], x[s.z], x[s.w]);
      out[at] = select(vec4f(0.0), v, c <= vec4u(last));
      at += 1u;
    }
  }
}
