// Zero padding for the conv kernels, x (N, C, H, W) -> out (N, C, H + top + bottom, W + left + right), so their
// inner loops read taps without bounds checks. Grid: x, y over the padded plane (16 x 4 workgroups), z over
// the N * C planes (grid-stride).

struct Params {
  planes: u32,  // N * C
  h: u32, w: u32,
  top: u32, left: u32,
  hp: u32, wp: u32,  // padded height and width
  _pad0: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(16, 4, 1)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let w = gid.x;
  let h = gid.y;
  if (w >= params.wp || h >= params.hp) { return; }
  let inside = h >= params.top && h < params.top + params.h && w >= params.left && w < params.left + params.w;
  let source = min(h - params.top, params.h - 1u) * params.w + min(w - params.left, params.w - 1u);
  for (var plane = gid.z; plane < params.planes; plane += nwg.z) {
    let v = x[plane * params.h * params.w + select(0u, source, inside)];
    out[(plane * params.hp + h) * params.wp + w] = select(0.0, v, inside);
  }
}
