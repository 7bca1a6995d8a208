// torch.optim.Adam / AdamW update (1.13, single tensor, amsgrad off), one invocation per parameter element:
// AdamW first decays p *= 1 - lr * weight_decay, Adam adds weight_decay * p to g; then
// m = beta1 m + (1 - beta1) g, v = beta2 v + (1 - beta2) g^2,
// p -= step_size * m / (sqrt(v) / sqrt(1 - beta2^t) + eps) with step_size = lr / (1 - beta1^t) (host, float64).

struct Params {
  count: u32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

struct Attrs {
  beta1: f32,
  one_minus_beta1: f32,
  beta2: f32,
  one_minus_beta2: f32,
  eps: f32,
  weight_decay: f32,
  decay: f32,  // 1 - lr * weight_decay (AdamW)
  step_size: f32,
  correction2_sqrt: f32,
  decoupled: u32,
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<storage, read_write> param: array<f32>;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> exp_avg: array<f32>;
@group(0) @binding(3) var<storage, read_write> exp_avg_sq: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;
@group(0) @binding(5) var<uniform> attrs: Attrs;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + groups.x * (wid.y + groups.y * wid.z)) * 64u + lid;
  if (i >= params.count) { return; }
  var p = param[i];
  var d = grad[i];
  if (attrs.decoupled != 0u) {
    p = p * attrs.decay;
  } else if (attrs.weight_decay != 0.0) {
    d = d + attrs.weight_decay * p;
  }
  let m = exp_avg[i] * attrs.beta1 + attrs.one_minus_beta1 * d;
  let v = exp_avg_sq[i] * attrs.beta2 + attrs.one_minus_beta2 * (d * d);
  exp_avg[i] = m;
  exp_avg_sq[i] = v;
  let denom = sqrt(v) / attrs.correction2_sqrt + attrs.eps;
  param[i] = p - attrs.step_size * (m / denom);
}
