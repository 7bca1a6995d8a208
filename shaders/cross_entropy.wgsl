// Softmax cross-entropy forward, logits (N, K), labels (N) int32 -> loss (1) = mean over the batch of
// -sum_k q_k log p_k with q = (1 - eps) one_hot + eps / K; probs (N, K) = softmax(logits) saved for backward.
// WEIGHTED: each class k's term is scaled by w_k and the mean divides by W = sum_n w_label(n) (PyTorch's
// weighted mean); weight_sum (1) = W (N unweighted) is saved for backward.
// One workgroup: each thread takes rows lid, lid + 64, ...; the batch sum is a fixed-order tree.
// A label outside 0..K-1 makes the loss NaN (the CPU backend throws).

struct Params {
  n: u32,
  k: u32,
  smoothing: f32,
  nan_bits: u32,  // 0x7fc00000: WGSL has no NaN constant (a constant NaN does not compile)
}

@group(0) @binding(0) var<storage, read> logits: array<f32>;
@group(0) @binding(1) var<storage, read> labels: array<i32>;
@group(0) @binding(2) var<storage, read_write> probs: array<f32>;
@group(0) @binding(3) var<storage, read_write> loss: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;
@group(0) @binding(5) var<uniform> weights: Weights;
@group(0) @binding(6) var<storage, read_write> weight_sum: array<f32>;

// Class weights, four per row (one row, unused, when not WEIGHTED).
struct Weights {
  rows: array<vec4<f32>, {{ROWS}}>,
}

override WEIGHTED: bool = false;

fn class_weight(k: u32) -> f32 {
  if (!WEIGHTED) { return 1.0; }
  return weights.rows[k / 4u][k % 4u];
}

const WG = 64u;
var<workgroup> partial: array<f32, 64>;
var<workgroup> partial_weight: array<f32, 64>;

fn row_loss(n: u32) -> f32 {
  let K = params.k;
  let row = n * K;
  var top = logits[row];
  for (var k = 1u; k < K; k++) { top = max(top, logits[row + k]); }
  var sum = 0.0;
  for (var k = 0u; k < K; k++) { sum += exp(logits[row + k] - top); }
  let log_sum = top + log(sum);
  var sum_log_p = 0.0;
  for (var k = 0u; k < K; k++) {
    let log_p = logits[row + k] - log_sum;
    probs[row + k] = exp(log_p);
    sum_log_p += class_weight(k) * log_p;
  }
  let label = labels[n];
  if (label < 0 || u32(label) >= K) { return bitcast<f32>(params.nan_bits); }
  let eps = params.smoothing;
  let w = class_weight(u32(label));
  return -(1.0 - eps) * w * (logits[row + u32(label)] - log_sum) - (eps / f32(K)) * sum_log_p;
}

@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) lid: u32) {
  var acc = 0.0;
  var acc_weight = 0.0;
  for (var n = lid; n < params.n; n += WG) {
    acc += row_loss(n);
    // NOTE: an invalid label already made the loss NaN; clamp so the weight lookup stays in bounds.
    acc_weight += class_weight(min(u32(max(labels[n], 0)), params.k - 1u));
  }
  partial[lid] = acc;
  partial_weight[lid] = acc_weight;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
    if (lid < stride) {
      partial[lid] += partial[lid + stride];
      partial_weight[lid] += partial_weight[lid + stride];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let total = select(f32(params.n), partial_weight[0], WEIGHTED);
    loss[0] = partial[0] / total;
    weight_sum[0] = total;
  }
}
