// Feature-map commands: which node and sample to show, asking the worker for them (kept up to date while
// training), and the classic kernels demo (Sharpen, Blur, Edge Detect) applied by plain convolution.

import type { Graph } from '../../../engine/graph/types.ts';
import { EngineError } from '../worker/client.ts';
import { engine } from './engine.ts';
import { sessionStore } from './store.ts';

/** Refresh the watched node every this many steps while training. */
export const WATCH_EVERY = 10;

const session = () => sessionStore();

/** The node to show: the selected one when it is a layer, else the first convolution, else the first layer. */
export function pickNode(graph: Graph, selection: readonly string[]): string | null {
  const selected = graph.nodes.find((n) => selection.includes(n.id));
  if (selected) return selected.id;
  return (
    (graph.nodes.find((n) => n.kind === 'Conv2d') ?? graph.nodes.find((n) => n.kind !== 'Input'))?.id ?? null
  );
}

let latest = 0;

/** Shows `node` for `sample`, and keeps it updated while a run trains. */
export async function inspectNode(graph: Graph, node: string, sample: number): Promise<void> {
  const ticket = ++latest;
  try {
    const inspection = await engine().call('inspect', {
      graph,
      node,
      sample,
      watch: true,
      every: WATCH_EVERY,
    });
    if (ticket === latest) session().setState({ inspection, inspectError: null });
  } catch (error) {
    if (ticket !== latest) return;
    const message = error instanceof EngineError ? error.message : String(error);
    session().setState({ inspection: null, inspectError: message });
  }
}

export function stopWatching(): void {
  latest++;
  void engine()
    .call('inspect.unwatch', {})
    .catch(() => undefined);
}

export function setSample(sample: number): void {
  const count = session().getState().data?.count ?? 1;
  session().setState({ inspectSample: ((Math.floor(sample) % count) + count) % count });
}

/** The chapter's classic 3 x 3 kernels. */
export const CLASSIC_KERNELS: readonly { name: string; weights: readonly number[] }[] = [
  { name: 'Sharpen', weights: [0, -1, 0, -1, 5, -1, 0, -1, 0] },
  { name: 'Blur', weights: [1 / 16, 2 / 16, 1 / 16, 2 / 16, 4 / 16, 2 / 16, 1 / 16, 2 / 16, 1 / 16] },
  { name: 'Edge Detect', weights: [-1, -1, -1, -1, 8, -1, -1, -1, -1] },
];

/**
 * A 3 x 3 kernel slid over an H x W plane (pixels 0-1) with padding 1, as F.conv2d(x, k, padding=1) computes
 * it (cross-correlation: the kernel is not flipped).
 */
export function convolve3x3(
  plane: ArrayLike<number>,
  height: number,
  width: number,
  kernel: readonly number[],
): Float32Array {
  const out = new Float32Array(height * width);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let ky = -1; ky <= 1; ky++)
        for (let kx = -1; kx <= 1; kx++) {
          const sy = y + ky;
          const sx = x + kx;
          if (sy >= 0 && sy < height && sx >= 0 && sx < width)
            sum += plane[sy * width + sx]! * kernel[(ky + 1) * 3 + kx + 1]!;
        }
      out[y * width + x] = sum;
    }
  return out;
}
