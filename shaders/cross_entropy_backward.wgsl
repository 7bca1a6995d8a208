// Softmax cross-entropy backward: dlogits (N, K) (+)= dloss * (probs - q) / N, with probs saved by the
// forward and q = (1 - eps) one_hot(label) + eps / K. One invocation per logit.

struct Params {
  n: u32,
  k: u32,
  smoothing: f32,
  accumulate: u32,
}

@group(0) @binding(0) var<storage, read> probs: array<f32>;
@group(0) @binding(1) var<storage, read> labels: array<i32>;
@group(0) @binding(2) var<storage, read> dloss: array<f32>;
@group(0) @binding(3) var<storage, read_write> dlogits: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + groups.x * (wid.y + groups.y * wid.z)) * 64u + lid;
  if (i >= params.n * params.k) { return; }
  let K = params.k;
  let eps = params.smoothing;
  let q = select(0.0, 1.0 - eps, labels[i / K] == i32(i % K)) + eps / f32(K);
  let v = dloss[0] / f32(params.n) * (probs[i] - q);
  dlogits[i] = select(v, dlogits[i] + v, params.accumulate != 0u);
}
