// Dropout on any shape, flat, with the counter-based mask of engine/compile/op-numerics.ts (the same bits as the
// CPU backend): step key k = hash32(seed ^ hash32(step ^ hash32(stream))), bits(i) = hash32(hash32(i ^ k) + k),
// dropped when bits >> 8 < threshold; m = dropped ? 0 : scale. Forward y = x * m (training) or x (eval);
// BACKWARD dx (+)= dy * m (training) or dy (eval), the mask drawn again from the key. One invocation per element.

struct Params {
  count: u32,
  stream: u32,
  threshold: u32,  // round(p * 2^24)
  scale: f32,      // float32(1 / (1 - p)), 0 when p = 1
  training: u32,
  accumulate: u32,
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<storage, read> src: array<f32>;  // forward: x; backward: dy
@group(0) @binding(1) var<storage, read> key: array<u32>;  // (seed, step), int32 bit patterns
@group(0) @binding(2) var<storage, read_write> out: array<f32>;  // forward: y; backward: dx
@group(0) @binding(3) var<uniform> params: Params;

override BACKWARD: bool = false;

// lowbias32 (Wellons' hash-prospector), as hash32 in engine/data/random.ts.
fn hash32(value: u32) -> u32 {
  var x = value;
  x ^= x >> 16u;
  x *= 0x7feb352du;
  x ^= x >> 15u;
  x *= 0x846ca68bu;
  x ^= x >> 16u;
  return x;
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + groups.x * (wid.y + groups.y * wid.z)) * 64u + lid;
  if (i >= params.count) { return; }
  var v = src[i];
  if (params.training != 0u) {
    let k = hash32(key[0] ^ hash32(key[1] ^ hash32(params.stream)));
    let bits = hash32(hash32(i ^ k) + k);
    // NOTE: a multiply, not a select, so a NaN stays NaN where it is dropped (torch's input * noise).
    v *= select(params.scale, 0.0, (bits >> 8u) < params.threshold);
  }
  if (BACKWARD && params.accumulate != 0u) { v += out[i]; }
  out[i] = v;
}
