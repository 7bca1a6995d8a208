// BatchNorm statistics, x (N, C, S) (S = H * W, L or 1): one workgroup per channel writes the mean and
// 1 / sqrt(var + eps) used to normalise. mode 0: batch statistics (biased variance) and, when running stats
// are bound, running_mean / running_var (UNBIASED variance) updated with momentum and num_batches_tracked
// += 1; mode 1: batch statistics only; mode 2: the running statistics (eval). Sums are per-thread strided
// sums then a fixed-order tree in workgroup memory: deterministic, no atomics. x is read as T: vec4f when S is a
// multiple of 4 (a vector never straddles two channels), else f32 ({{T}}, elementType() in dispatch-plan.ts);
// s is in T units, and each thread sums its vectors' lanes at the end.

alias T = {{T}};

struct Params {
  n: u32,
  c: u32,
  s: u32,
  mode: u32,
  has_running: u32,
  eps: f32,
  momentum: f32,
  m: u32,  // N * S, values per channel
}

@group(0) @binding(0) var<storage, read> x: array<T>;
@group(0) @binding(1) var<storage, read_write> running_mean: array<f32>;
@group(0) @binding(2) var<storage, read_write> running_var: array<f32>;
@group(0) @binding(3) var<storage, read_write> num_batches_tracked: array<i32>;
@group(0) @binding(4) var<storage, read_write> mean_out: array<f32>;
@group(0) @binding(5) var<storage, read_write> invstd_out: array<f32>;
@group(0) @binding(6) var<uniform> params: Params;

const WG = 64u;
var<workgroup> partial: array<f32, 64>;

// Sum over the workgroup of each thread's `value`, in a fixed tree order; every thread gets the total.
fn reduce(lid: u32, value: f32) -> f32 {
  partial[lid] = value;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
    if (lid < stride) { partial[lid] += partial[lid + stride]; }
    workgroupBarrier();
  }
  let total = partial[0];
  workgroupBarrier();
  return total;
}

// This thread's share of sum over (n, s) of (x - center)^power (power 1 or 2), in a fixed order.
fn thread_sum(lid: u32, ch: u32, center: f32, squared: bool) -> f32 {
  let N = params.n;
  let C = params.c;
  let S = params.s;
  var acc = T(0.0);
  if (S >= WG) {
    for (var n = 0u; n < N; n++) {
      let base = (n * C + ch) * S;
      for (var k = lid; k < S; k += WG) {
        let d = x[base + k] - center;
        acc += select(d, d * d, squared);
      }
    }
  } else {
    for (var m = lid; m < N * S; m += WG) {
      let d = x[((m / S) * C + ch) * S + m % S] - center;
      acc += select(d, d * d, squared);
    }
  }
  return total(acc);
}

// The lanes of v summed.
fn total(v: T) -> f32 {
  return {{SUM}};
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let ch = wid.x;
  if (params.mode == 2u) {
    if (lid == 0u) {
      mean_out[ch] = running_mean[ch];
      invstd_out[ch] = 1.0 / sqrt(running_var[ch] + params.eps);
    }
    return;
  }
  let M = params.m;
  let mean = reduce(lid, thread_sum(lid, ch, 0.0, false)) / f32(M);
  let squares = reduce(lid, thread_sum(lid, ch, mean, true));
  if (lid == 0u) {
    mean_out[ch] = mean;
    invstd_out[ch] = 1.0 / sqrt(squares / f32(M) + params.eps);
    if (params.mode == 0u && params.has_running != 0u) {
      let m = params.momentum;
      running_mean[ch] = (1.0 - m) * running_mean[ch] + m * mean;
      // NOTE: the running variance takes the UNBIASED batch variance (divided by M - 1).
      running_var[ch] = (1.0 - m) * running_var[ch] + m * squares / f32(M - 1u);
      if (ch == 0u) { num_batches_tracked[0] += 1; }
    }
  }
}
