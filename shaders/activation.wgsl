// Element-wise activations on any shape, flat, one kernel specialised by ACTIVATION: 0 sigmoid, 1 tanh,
// 2 leaky_relu. Forward out = f(x). BACKWARD out (+)= dy * f'(.), where `a` is the forward output y for
// sigmoid (y (1 - y)) and tanh (1 - y^2), and the input x for leaky_relu (1 where x > 0, else the slope).
// Four consecutive elements per invocation, as relu.wgsl.

struct Params {
  count: u32,
  accumulate: u32,  // backward: add into out (a later gradient contribution) instead of writing it
  slope: f32,       // leaky_relu's negative_slope
  _pad0: u32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;   // forward: x; backward: y, or x for leaky_relu
@group(0) @binding(1) var<storage, read> dy: array<f32>;  // backward only
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

override ACTIVATION: u32 = 0u;
override BACKWARD: bool = false;

fn forward(v: f32) -> f32 {
  if (ACTIVATION == 0u) { return 1.0 / (1.0 + exp(-v)); }
  if (ACTIVATION == 1u) {
    // NOTE: from e^(-2|x|), which cannot overflow (a plain tanh gives NaN for large |x| on some drivers).
    let t = exp(-2.0 * abs(v));
    return sign(v) * (1.0 - t) / (1.0 + t);
  }
  // NOTE: v != v is the NaN test; NaN passes through.
  return select(v * params.slope, v, v > 0.0 || v != v);
}

fn derivative(v: f32) -> f32 {
  if (ACTIVATION == 0u) { return v * (1.0 - v); }
  if (ACTIVATION == 1u) { return 1.0 - v * v; }
  return select(params.slope, 1.0, v > 0.0);
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let first = ((wid.x + groups.x * (wid.y + groups.y * wid.z)) * 64u + lid) * 4u;
  let last = min(first + 4u, params.count);
  for (var i = first; i < last; i++) {
    if (BACKWARD) {
      let g = dy[i] * derivative(a[i]);
      out[i] = select(g, out[i] + g, params.accumulate != 0u);
    } else {
      out[i] = forward(a[i]);
    }
  }
}
