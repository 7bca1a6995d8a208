// Correct count, logits (N, K), labels (N) int32 -> correct (1) int32: samples whose argmax (the first
// maximum, like torch.argmax) equals the label. One workgroup; a fixed-order tree sums the counts.

struct Params {
  n: u32,
  k: u32,
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<storage, read> logits: array<f32>;
@group(0) @binding(1) var<storage, read> labels: array<i32>;
@group(0) @binding(2) var<storage, read_write> correct: array<i32>;
@group(0) @binding(3) var<uniform> params: Params;

const WG = 64u;
var<workgroup> partial: array<i32, 64>;

@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) lid: u32) {
  let K = params.k;
  var count = 0;
  for (var n = lid; n < params.n; n += WG) {
    var best = 0u;
    for (var k = 1u; k < K; k++) {
      if (logits[n * K + k] > logits[n * K + best]) { best = k; }
    }
    if (i32(best) == labels[n]) { count += 1; }
  }
  partial[lid] = count;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
    if (lid < stride) { partial[lid] += partial[lid + stride]; }
    workgroupBarrier();
  }
  if (lid == 0u) { correct[0] = partial[0]; }
}
