// Softmax cross-entropy forward, logits (N, K), labels (N) int32 -> loss (1) = mean over the batch of
// -sum_k q_k log p_k with q = (1 - eps) one_hot + eps / K; probs (N, K) = softmax(logits) saved for backward.
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

const WG = 64u;
var<workgroup> partial: array<f32, 64>;

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
    sum_log_p += log_p;
  }
  let label = labels[n];
  if (label < 0 || u32(label) >= K) { return bitcast<f32>(params.nan_bits); }
  let eps = params.smoothing;
  return -(1.0 - eps) * (logits[row + u32(label)] - log_sum) - (eps / f32(K)) * sum_log_p;
}

@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) lid: u32) {
  var acc = 0.0;
  for (var n = lid; n < params.n; n += WG) { acc += row_loss(n); }
  partial[lid] = acc;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
    if (lid < stride) { partial[lid] += partial[lid + stride]; }
    workgroupBarrier();
  }
  if (lid == 0u) { loss[0] = partial[0] / f32(params.n); }
}
