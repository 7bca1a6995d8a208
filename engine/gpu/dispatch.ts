// Dispatch helpers: fold a 1-D workgroup count past the per-dimension limit into 2-D/3-D grids.
/// <reference types="@webgpu/types" />

import { GpuError } from './errors.ts';

export type WorkgroupGrid = [x: number, y: number, z: number];

/**
 * Folds `count` workgroups into a grid with each side at most `maxPerDimension` (65,535 unless the device
 * allows more). x*y*z >= count, with fewer than y*z spare workgroups.
 *
 * The shader recovers the flat workgroup index from @builtin(num_workgroups) and must skip the spare ones:
 *   let flat = workgroup_id.x + num_workgroups.x * (workgroup_id.y + num_workgroups.y * workgroup_id.z);
 *   let index = flat * WORKGROUP_SIZE + local_invocation_index;
 *   if (index >= element_count) { return; }
 */
export function foldWorkgroups(count: number, maxPerDimension = 65_535): WorkgroupGrid {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`Bad workgroup count ${count}`);
  if (count <= maxPerDimension) return [count, 1, 1];
  const max = maxPerDimension;
  if (count > max * max * max)
    throw new GpuError('tooLarge', { detail: `${count} workgroups exceed ${max}^3 on this device.` });
  // Pick the fewest rows (y*z) that can hold count, then spread count evenly over them.
  const rows = Math.ceil(count / max);
  const z = Math.ceil(rows / max);
  const y = Math.ceil(rows / z);
  const x = Math.ceil(count / (y * z));
  return [x, y, z];
}

/** Workgroups needed for `elements` invocations of `workgroupSize` each, folded for this device. */
export function gridFor(elements: number, workgroupSize: number, maxPerDimension = 65_535): WorkgroupGrid {
  return foldWorkgroups(Math.ceil(elements / workgroupSize), maxPerDimension);
}

/** Records one dispatch: pipeline, bind group 0, and a grid (a plain count is folded). */
export function encodeDispatch(
  pass: GPUComputePassEncoder,
  pipeline: GPUComputePipeline,
  bindGroup: GPUBindGroup,
  workgroups: number | WorkgroupGrid,
  maxPerDimension = 65_535,
): void {
  const [x, y, z] = typeof workgroups === 'number' ? foldWorkgroups(workgroups, maxPerDimension) : workgroups;
  if (x === 0 || y === 0 || z === 0) return;
  if (x > maxPerDimension || y > maxPerDimension || z > maxPerDimension)
    throw new GpuError('tooLarge', {
      detail: `Grid ${x}x${y}x${z} has a side above the device limit of ${maxPerDimension} workgroups.`,
    });
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(x, y, z);
}
