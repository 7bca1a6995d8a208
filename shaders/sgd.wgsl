// torch.optim.SGD update (1.13, single tensor), one invocation per parameter element:
// d = g + weight_decay * p; with momentum, buf = first_step ? d : momentum * buf + (1 - dampening) * d and
// d = nesterov ? d + momentum * buf : buf; then p -= lr * d. The hyperparameters change per step (attrs).

struct Params {
  count: u32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

struct Attrs {
  lr: f32,
  momentum: f32,
  one_minus_dampening: f32,
  weight_decay: f32,
  nesterov: u32,
  first_step: u32,
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<storage, read_write> param: array<f32>;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> momentum_buffer: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;
@group(0) @binding(4) var<uniform> attrs: Attrs;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + groups.x * (wid.y + groups.y * wid.z)) * 64u + lid;
  if (i >= params.count) { return; }
  let p = param[i];
  var d = grad[i];
  if (attrs.weight_decay != 0.0) { d = d + attrs.weight_decay * p; }
  if (attrs.momentum != 0.0) {
    // NOTE: the first step copies d into the buffer; dampening only applies from the second step.
    var b = d;
    if (attrs.first_step == 0u) { b = momentum_buffer[i] * attrs.momentum + attrs.one_minus_dampening * d; }
    momentum_buffer[i] = b;
    d = select(b, d + attrs.momentum * b, attrs.nesterov != 0u);
  }
  param[i] = p - attrs.lr * d;
}
