// Where the loop prepares batches and guards steps (engine/train/data-path.ts): a backend without device hooks
// (the CPU) keeps both on the host; a data set too large for the device falls back to host batches and says
// why in the run's result, training exactly as the host path does.

import { describe, expect, it } from 'vitest';
import type { Backend, Executor } from '../../engine/compile/backend.ts';
import type { ProgramCore } from '../../engine/compile/program.ts';
import { cpuBackend } from '../../engine/cpu/backend.ts';
import { hash32 } from '../../engine/data/random.ts';
import type { DataSet } from '../../engine/data/types.ts';
import { GraphBuilder } from '../../engine/graph/builder.ts';
import { toNumbers } from '../../engine/io/tensor.ts';
import { type DataPath, describeDataPath } from '../../engine/train/data-path.ts';
import { train } from '../../engine/train/loop.ts';
import { runSettings } from '../../engine/train/settings.ts';

function graph() {
  const b = new GraphBuilder();
  let x = b.layer('Input', { shape: [1, 6, 6] }, [], 'input');
  x = b.layer('Conv2d', { out_channels: 3, kernel_size: 3 }, [x], 'conv');
  x = b.layer('ReLU', {}, [x]);
  x = b.layer('Flatten', {}, [x], 'flatten');
  x = b.layer('Linear', { out_features: 2 }, [x], 'fc');
  b.layer('Output', { num_classes: 2 }, [x], 'output');
  return b.graph;
}

const data: DataSet = {
  images: Uint8Array.from({ length: 40 * 36 }, (_, i) => hash32(i) % 256),
  labels: Int32Array.from({ length: 40 }, (_, i) => i % 2),
  shape: [1, 6, 6],
  classes: ['a', 'b'],
  source: { kind: 'builtin', name: 'noise', files: [], parts: [] },
};

/** The CPU backend, with an upload hook that always answers what a too-small GPU would. */
const tooSmall: Backend = {
  name: 'too-small',
  async bind<P extends ProgramCore>(program: P) {
    const exec: Executor<P> = await cpuBackend.bind(program);
    exec.uploadDataSet = () => ({
      unfit: 'The data set (1440 bytes) is larger than one GPU storage buffer may be.',
    });
    return exec;
  },
};

describe('the data path', () => {
  const settings = runSettings(null, { batch_size: 8, epochs: 1, seed: 3, validation_split: 0.2 });

  it('is the host on a backend without device hooks', async () => {
    const told: DataPath[] = [];
    const result = await train({
      backend: cpuBackend,
      graph: graph(),
      dataset: data,
      settings,
      onDataPath: (p) => told.push(p),
    });
    expect(told).toEqual([{ batches: 'host', steps: 'host', note: null }]);
    expect(result.dataPath).toEqual(told[0]);
  });

  it('falls back to host batches when the data set does not fit, says so, and trains the same', async () => {
    const told: DataPath[] = [];
    const fallback = await train({
      backend: tooSmall,
      graph: graph(),
      dataset: data,
      settings,
      onDataPath: (p) => told.push(p),
    });
    const plain = await train({ backend: cpuBackend, graph: graph(), dataset: data, settings });
    expect(fallback.dataPath).toEqual({
      batches: 'host',
      steps: 'host',
      note: 'batches are prepared on the CPU: The data set (1440 bytes) is larger than one GPU storage buffer may be.',
    });
    expect(told).toEqual([fallback.dataPath]);
    expect(describeDataPath(fallback.dataPath)).toMatch(
      /^batches on the CPU; .* \(batches are prepared on the CPU: The data set/,
    );
    for (const [key, t] of plain.last.model)
      expect(toNumbers(fallback.last.model.get(key)!), key).toEqual(toNumbers(t));
  });
});
