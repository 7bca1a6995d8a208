// Cost accounting: parameters, buffers, memory and multiply-adds, per node and in total.

import { numel } from '../layers/shapes.ts';
import type { Shape, StateEntry } from '../layers/types.ts';

export interface Cost {
  /** Trainable parameters (PyTorch's `sum(p.numel() for p in model.parameters())`). */
  params: number;
  /** Buffer elements (running statistics, counters). */
  buffers: number;
  /** Bytes of parameters and buffers (float32: 4 bytes, int64: 8 bytes). */
  paramBytes: number;
  /** Bytes of the output activation for one sample (float32); 0 for views such as Flatten. */
  activationBytes: number;
  /** Multiply-accumulate operations for one sample (convolutions and linear layers). */
  macs: number;
}

export function nodeCost(state: readonly StateEntry[], macs: number, output: Shape, view = false): Cost {
  let params = 0;
  let buffers = 0;
  let paramBytes = 0;
  for (const entry of state) {
    const n = numel(entry.shape);
    if (entry.role === 'parameter') params += n;
    else buffers += n;
    paramBytes += n * (entry.dtype === 'int64' ? 8 : 4);
  }
  return { params, buffers, paramBytes, activationBytes: view ? 0 : numel(output) * 4, macs };
}

export function sumCosts(costs: Iterable<Cost>): Cost {
  const total: Cost = { params: 0, buffers: 0, paramBytes: 0, activationBytes: 0, macs: 0 };
  for (const c of costs) {
    total.params += c.params;
    total.buffers += c.buffers;
    total.paramBytes += c.paramBytes;
    total.activationBytes += c.activationBytes;
    total.macs += c.macs;
  }
  return total;
}

/** `61,706` */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** `0.25 MB` (1 MB = 10^6 bytes, as the course counts: 390k params x 4 bytes = 1.6 MB). */
export function formatMegabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(bytes < 1e5 ? 3 : 2)} MB`;
}

/** `1.82 G`, `416.5 k`: a short multiply-add count. */
export function formatShort(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(n);
}
