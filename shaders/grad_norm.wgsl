// Gradient clipping, pass 2 of 3: torch.nn.utils.clip_grad_norm_ (torch 1.13) from the partial sums of pass 1.
// norm_t = sqrt(sum of tensor t's partials, in order); total = sqrt(sum of norm_t^2); coefficient =
// min(max_norm / (total + 1e-6), 1), as engine/train/clip.ts computes it. One invocation: a few thousand
// partials at most per network, summed in a fixed order.

struct Params {
  tensors: u32,   // gradient tensors; their partial ranges are ranges[t] = (start, end)
  max_norm: f32,
  _pad0: u32,
  _pad1: u32,
}

struct Clip {
  total: f32,        // global norm before clipping
  coefficient: f32,  // what every gradient is multiplied by (pass 3)
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<storage, read> partials: array<f32>;
@group(0) @binding(1) var<storage, read> ranges: array<vec2u>;
@group(0) @binding(2) var<storage, read_write> clip: Clip;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(1)
fn main() {
  var squares = 0.0;
  for (var t = 0u; t < params.tensors; t++) {
    let range = ranges[t];
    var s = 0.0;
    for (var p = range.x; p < range.y; p++) { s += partials[p]; }
    let norm = sqrt(s);
    squares += norm * norm;
  }
  let total = sqrt(squares);
  clip.total = total;
  clip.coefficient = min((1.0 / (total + 1e-6)) * params.max_norm, 1.0);
}
