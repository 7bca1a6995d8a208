// Training metrics kept on the device: totals += (this step's loss, its correct count, 1 step), so a
// training loop reads them back every few steps instead of every step. One invocation.

struct Totals {
  loss: f32,
  correct: i32,
  steps: u32,
  _pad0: u32,
}

@group(0) @binding(0) var<storage, read> loss: array<f32>;
@group(0) @binding(1) var<storage, read> correct: array<i32>;
@group(0) @binding(2) var<storage, read_write> totals: Totals;

@compute @workgroup_size(1)
fn main() {
  totals.loss += loss[0];
  totals.correct += correct[0];
  totals.steps += 1u;
}
