// A training checkpoint NeuroCanvas writes after a few steps resumes in PyTorch: the generated model.py and
// torch.optim.Adam / SGD (momentum) load its model and optimizer state, take one step on the same batch, and
// land on the weights the engine's own next step gives. NOTE: FAILS (does not skip) without /usr/bin/python3 + torch.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededInput } from '../../cli/weights.ts';
import { compile } from '../../engine/compile/compile.ts';
import { cpuBackend } from '../../engine/cpu/backend.ts';
import { exportBytes } from '../../engine/io/export.ts';
import { DEFAULT_TRAINING, type TrainingSettings } from '../../engine/io/project/project.ts';
import type { StateDict } from '../../engine/io/tensor.ts';
import { readCheckpoint } from '../../engine/io/torch/index.ts';
import { readOptimizerState } from '../../engine/train/optimizer-state.ts';
import { Adam, type Optimizer, SGD } from '../../engine/train/optimizers.ts';
import { Random } from '../../engine/train/random.ts';
import { initialize, readState } from '../../engine/train/state.ts';
import { trainStep } from '../../engine/train/train-step.ts';
import { templateById } from '../../templates/catalog.ts';
import { compareOutputs, runInterop } from './interop-python.ts';

const B = 8;
const STEPS = 3;
const graph = templateById('lenet5')!.build();
const folder = mkdtempSync(join(tmpdir(), 'nc-interop-resume-'));

interface Case {
  training: TrainingSettings;
  optimizer: () => Optimizer;
}
const CASES: Record<string, Case> = {
  adam: {
    training: { ...DEFAULT_TRAINING, optimizer: 'adam', lr: 1e-2, weight_decay: 0 },
    optimizer: () => new Adam({ lr: 1e-2 }),
  },
  sgd_momentum: {
    training: { ...DEFAULT_TRAINING, optimizer: 'sgd', lr: 0.05, momentum: 0.9, weight_decay: 1e-4 },
    optimizer: () => new SGD({ lr: 0.05, momentum: 0.9, weightDecay: 1e-4 }),
  },
};

interface Resumed {
  loss: number;
  epoch: number;
  step: number;
  fresh_optimizer_difference: number;
  param_group: Record<string, unknown>;
  state_steps: number[];
}

const images = seededInput([1, 28, 28], B, 8);
const rng = new Random(9);
const labels = Int32Array.from({ length: B }, () => rng.int(10));
const expected = new Map<string, { state: StateDict; loss: number }>();
let oracle: Record<string, Resumed>;

const asStateDict = (values: Awaited<ReturnType<typeof readState>>): StateDict =>
  new Map([...values].map(([key, v]) => [key, { dtype: v.dtype, shape: v.shape, data: v.data }]));

/** STEPS engine steps, the checkpoint, then one more engine step: what torch's resumed step must reach. */
beforeAll(async () => {
  const cases: Record<string, unknown> = {};
  const model = join(folder, 'model.py');
  writeFileSync(
    model,
    exportBytes('py', { graph, weights: new Map(), className: 'LeNet5', training: DEFAULT_TRAINING }),
  );
  for (const [id, c] of Object.entries(CASES)) {
    const optimizer = c.optimizer();
    const program = compile(graph, B, { optimizer: optimizer.update });
    const exec = await cpuBackend.bind(program);
    initialize(exec, new Random(7));
    for (let s = 0; s < STEPS; s++) await trainStep(exec, optimizer, { images, labels });
    const settings = { ...c.training, betas: [0.9, 0.999] as [number, number], eps: 1e-8, nesterov: false };
    const bytes = exportBytes('checkpoint', {
      graph,
      weights: asStateDict(await readState(exec)),
      className: 'LeNet5',
      training: c.training,
      optimizer: await readOptimizerState(exec, optimizer, settings),
      epoch: 1,
      step: STEPS,
    });
    const checkpoint = join(folder, `${id}.checkpoint.pt`);
    writeFileSync(checkpoint, bytes);
    const next = await trainStep(exec, optimizer, { images, labels });
    expected.set(id, { state: asStateDict(await readState(exec)), loss: next.loss });
    cases[id] = {
      checkpoint,
      model,
      class: 'LeNet5',
      input: join(folder, 'images.f32'),
      shape: [B, 1, 28, 28],
      labels: Array.from(labels),
      kind: c.training.optimizer,
      hyper: { lr: c.training.lr, momentum: c.training.momentum, weight_decay: c.training.weight_decay },
      output: join(folder, `${id}.torch.pt`),
    };
  }
  writeFileSync(join(folder, 'images.f32'), images);
  oracle = runInterop<Record<string, Resumed>>('resume', { cases }, join(folder, 'job.json')).result;
}, 300_000);

afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe.each(Object.keys(CASES))('LeNet-5 %s checkpoint resumes in torch', (id) => {
  it('torch sees the step, epoch and hyper-parameters we saved', () => {
    const resumed = oracle[id]!;
    const c = CASES[id]!;
    expect({ epoch: resumed.epoch, step: resumed.step }).toEqual({ epoch: 1, step: STEPS });
    expect(resumed.param_group.lr).toBeCloseTo(c.training.lr, 12);
    expect(resumed.param_group.weight_decay).toBeCloseTo(c.training.weight_decay, 12);
    if (c.training.optimizer === 'sgd') expect(resumed.param_group.momentum).toBeCloseTo(0.9, 12);
    else expect(resumed.state_steps).toEqual([STEPS]);
  });

  it('one torch step from the checkpoint equals the engine next step: every weight within 1e-4 x max(1, max|ref|)', async () => {
    const resumed = oracle[id]!;
    const ours = expected.get(id)!;
    expect(resumed.loss).toBeCloseTo(ours.loss, 4);
    const { stateDict } = await readCheckpoint(new Uint8Array(readFileSync(join(folder, `${id}.torch.pt`))));
    expect([...stateDict.keys()]).toEqual([...ours.state.keys()]);
    let worst = 0;
    for (const [key, theirs] of stateDict) {
      const mine = ours.state.get(key)!;
      const { difference, tolerance } = compareOutputs(
        mine.data as Float32Array,
        theirs.data as Float32Array,
      );
      expect(difference, key).toBeLessThanOrEqual(tolerance);
      worst = Math.max(worst, difference);
    }
    // the optimizer state matters: the same step from a fresh optimizer lands far from it
    expect(resumed.fresh_optimizer_difference).toBeGreaterThan(100 * Math.max(worst, 1e-6));
    console.log(
      `${id}: max weight difference after the resumed step ${worst.toExponential(2)}; a fresh optimizer would be ${resumed.fresh_optimizer_difference.toExponential(2)} away`,
    );
  });
});
