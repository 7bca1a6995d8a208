// One training step's record, kept on the device (engine/webgpu/device-steps.ts): history.rows[count] =
// (loss, correct count, gradient norm before clipping), count += 1. The loop reads the history every few
// steps, so a NaN loss is still found at its exact step. One invocation.

struct Row {
  loss: f32,
  correct: i32,
  norm: f32,
  _pad0: u32,
}

struct History {
  count: u32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
  rows: array<Row>,
}

struct Clip {
  total: f32,
  coefficient: f32,
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<storage, read> loss: array<f32>;
@group(0) @binding(1) var<storage, read> correct: array<i32>;
@group(0) @binding(2) var<storage, read> clip: Clip;       // unused without CLIPPED
@group(0) @binding(3) var<storage, read_write> history: History;

override CAPACITY: u32 = 16u;  // rows the history buffer holds
override CLIPPED: bool = false;

@compute @workgroup_size(1)
fn main() {
  let at = history.count;
  if (at < CAPACITY) {
    var norm = 0.0;
    if (CLIPPED) { norm = clip.total; }
    history.rows[at] = Row(loss[0], correct[0], norm, 0u);
  }
  history.count = at + 1u;
}
