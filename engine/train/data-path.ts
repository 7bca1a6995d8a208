// Which parts of a training step stay on the device: the batches (data set uploaded once, gathered and
// augmented there) and the step guard (NaN check, clipping, metrics read every few steps). Both where the
// backend can (WebGPU); the host otherwise, with the reason recorded for the run's log.

import type { DeviceDataSet, Executor } from '../compile/backend.ts';
import type { Program } from '../compile/program.ts';
import type { DataSet } from '../data/types.ts';

/** What the caller allows on the device; both default to true. false keeps that part on the host. */
export interface OnDevice {
  batches?: boolean;
  steps?: boolean;
}

/** What the run used, for its log and metadata. */
export interface DataPath {
  /** Where training batches were gathered, augmented and normalised. */
  batches: 'device' | 'host';
  /** Where the NaN guard, clipping and per-step metrics ran ('device': read back every few steps). */
  steps: 'device' | 'host';
  /** Why a part the backend could run on the device ran on the host, or null. */
  note: string | null;
}

/** Uploads the data set when the executor can take it; says what was chosen and why. */
export function openDataPath(
  exec: Executor<Program>,
  dataset: DataSet,
  want: OnDevice = {},
): { path: DataPath; data: DeviceDataSet | null } {
  const steps = want.steps !== false && exec.deviceSteps !== undefined ? 'device' : 'host';
  if (want.batches === false || !exec.uploadDataSet)
    return { path: { batches: 'host', steps, note: null }, data: null };
  const uploaded = exec.uploadDataSet(dataset.images, dataset.shape);
  if ('unfit' in uploaded)
    return {
      path: {
        batches: 'host',
        steps,
        note: `batches are prepared on the CPU: ${uploaded.unfit}`,
      },
      data: null,
    };
  return { path: { batches: 'device', steps, note: null }, data: uploaded };
}

/** One line for a log: where batches and the step guard ran. */
export function describeDataPath(path: DataPath): string {
  const where = (part: 'device' | 'host') => (part === 'device' ? 'on the GPU' : 'on the CPU');
  const guard =
    path.steps === 'device'
      ? 'NaN guard, clipping and metrics on the GPU, read back every few steps'
      : 'NaN guard, clipping and metrics read back every step';
  return `batches ${where(path.batches)}; ${guard}${path.note ? ` (${path.note})` : ''}`;
}
