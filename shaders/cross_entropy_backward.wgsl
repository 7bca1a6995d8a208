// Softmax cross-entropy backward: dlogits (N, K) (+)= dloss * (probs - q) / N, with probs saved by the
// forward and q = (1 - eps) one_hot(label) + eps / K. One invocation per logit. WEIGHTED (class weights w):
// dlogits (+)= dloss / W * [(1 - eps) w_label (probs - one_hot) + eps / K (probs sum_j w_j - w_k)], with W
// the forward's saved weight_sum.

struct Params {
  n: u32,
  k: u32,
  smoothing: f32,
  accumulate: u32,
  weight_total: f32,  // sum_j w_j (WEIGHTED only)
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

// Class weights, four per row (one row, unused, when not WEIGHTED).
struct Weights {
  rows: array<vec4<f32>, {{ROWS}}>,
}

@group(0) @binding(0) var<storage, read> probs: array<f32>;
@group(0) @binding(1) var<storage, read> labels: array<i32>;
@group(0) @binding(2) var<storage, read> dloss: array<f32>;
@group(0) @binding(3) var<storage, read_write> dlogits: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;
@group(0) @binding(5) var<uniform> weights: Weights;
@group(0) @binding(6) var<storage, read> weight_sum: array<f32>;

override WEIGHTED: bool = false;

fn class_weight(k: u32) -> f32 { return weights.rows[k / 4u][k % 4u]; }

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + groups.x * (wid.y + groups.y * wid.z)) * 64u + lid;
  if (i >= params.n * params.k) { return; }
  let K = params.k;
  let eps = params.smoothing;
  var v: f32;
  if (WEIGHTED) {
    let label = labels[i / K];
    let hot = select(0.0, 1.0, label == i32(i % K));
    let p = probs[i];
    let hard = (1.0 - eps) * class_weight(u32(label)) * (p - hot);
    v = dloss[0] / weight_sum[0] * (hard + eps / f32(K) * (p * params.weight_total - class_weight(i % K)));
  } else {
    let q = select(0.0, 1.0 - eps, labels[i / K] == i32(i % K)) + eps / f32(K);
    v = dloss[0] / f32(params.n) * (probs[i] - q);
  }
  dlogits[i] = select(v, dlogits[i] + v, params.accumulate != 0u);
}
