// What the interop oracle tests share: running interop_torch.py in Debian's PyTorch (failing, never skipping,
// when it is missing), the graphs and input sizes each template runs at, and the output comparison.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { withInputShape } from '../../cli/load.ts';
import type { Graph } from '../../engine/graph/types.ts';
import type { Template } from '../../templates/catalog.ts';

export const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./interop_torch.py', import.meta.url));

/** torchvision networks run on 3 x 64 x 64 (their adaptive pooling takes it); the others at their own size. */
export const SMALL_IMAGE = [3, 64, 64];
export const BATCH = 2;

export function templateGraph(template: Template): { graph: Graph; shape: number[] } {
  const graph = template.build();
  if (template.category === 'imagenet')
    return { graph: withInputShape(graph, SMALL_IMAGE), shape: SMALL_IMAGE };
  const shape = graph.nodes.find((n) => n.kind === 'Input')!.params.shape as number[];
  return { graph, shape: [...shape] };
}

/** Runs one mode of interop_torch.py on a job; throws (so every test using it fails) without PyTorch. */
export function runInterop<T>(
  mode: string,
  job: unknown,
  jobFile: string,
  timeout = 300_000,
): { torch: string; result: T } {
  if (!existsSync(PYTHON))
    throw new Error(
      `PyTorch oracle: ${PYTHON} does not exist. Install Debian's python3-torch and python3-torchvision (apt-get install python3-torch python3-torchvision); never pip.`,
    );
  writeFileSync(jobFile, JSON.stringify(job));
  const run = spawnSync(PYTHON, [SCRIPT, mode, jobFile], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout,
  });
  if (run.error) throw new Error(`could not run ${PYTHON} ${SCRIPT}: ${run.error.message}`);
  if (run.status !== 0)
    throw new Error(
      `${PYTHON} interop_torch.py ${mode} failed (exit ${run.status}); are python3-torch 1.13 and python3-torchvision 0.14 installed (apt, not pip)?\n${run.stderr}`,
    );
  return JSON.parse(run.stdout) as { torch: string; result: T };
}

export function readF32(path: string): Float32Array {
  const bytes = readFileSync(path);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

export interface Comparison {
  /** Largest |ours - theirs| (Infinity when either has a NaN). */
  difference: number;
  /** max |theirs|. */
  scale: number;
  /** 1e-4 x max(1, scale). */
  tolerance: number;
}

export function compareOutputs(ours: ArrayLike<number>, theirs: ArrayLike<number>): Comparison {
  if (ours.length !== theirs.length) throw new Error(`${ours.length} outputs against ${theirs.length}`);
  let difference = 0;
  let scale = 0;
  for (let k = 0; k < ours.length; k++) {
    const d = Math.abs(ours[k]! - theirs[k]!);
    difference = Number.isNaN(d) ? Number.POSITIVE_INFINITY : Math.max(difference, d);
    scale = Math.max(scale, Math.abs(theirs[k]!));
  }
  return { difference, scale, tolerance: 1e-4 * Math.max(1, scale) };
}
