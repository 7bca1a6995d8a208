// `neurocanvas train` and `evaluate` end to end on a tiny generated IDX data set: the run folder's files, evaluate
// reading them back with the same accuracy, resume through the CLI, and the user-facing errors.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.ts';
import { softwareAdapter } from '../../engine/gpu/device.ts';
import { toNumbers } from '../../engine/io/tensor.ts';
import { readCheckpoint } from '../../engine/io/torch/read.ts';
import { parseAugment } from '../../engine/train/augment-spec.ts';
import { writeBarsIdx, writeBarsProject } from '../support/bars.ts';

const root = mkdtempSync(join(tmpdir(), 'nc-train-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const data = join(root, 'idx');
writeBarsIdx(data);
const project = writeBarsProject(root, 3);

/**
 * Runs the CLI. NOTE: train and evaluate get `--backend cpu` unless a test names one: the default (auto) opens
 * Dawn to look at the adapter, which belongs in test/gpu (train-device-path.test.ts checks it there).
 */
async function cli(argv: string[]): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const pinned =
    ['train', 'evaluate'].includes(argv[0]!) && !argv.includes('--backend')
      ? [...argv, '--backend', 'cpu']
      : argv;
  const code = await main(pinned, (line) => lines.push(line));
  return { code, text: lines.join('\n') };
}

const accuracyOf = (text: string) => Number(/accuracy (\d+\.\d+)%/.exec(text)![1]);

describe('neurocanvas train', () => {
  it('writes checkpoint, weights, code, metrics and the confusion matrix; evaluate gives the same accuracy', async () => {
    const out = join(root, 'run');
    const run = await cli([
      'train',
      project,
      '--data',
      data,
      '--augment',
      'flip=0.2,noise=0.01',
      '--out',
      out,
    ]);
    expect(run.code, run.text).toBe(0);
    expect(run.text).toMatch(
      /epoch 1\/3: train loss [\d.]+ acc [\d.]+%, validation loss [\d.]+ acc [\d.]+% \(18 images\)/,
    );
    expect(run.text).toMatch(/finished 3 epochs/);
    for (const f of ['checkpoint.pt', 'model.pt', 'model.py', 'metrics.json', 'metrics.csv', 'confusion.csv'])
      expect(existsSync(join(out, f)), f).toBe(true);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.epochs.length).toBe(3);
    expect(metrics.steps.length).toBe(3 * 9);
    expect(metrics.settings.augment).toEqual(parseAugment('flip=0.2,noise=0.01'));
    expect(readFileSync(join(out, 'metrics.csv'), 'utf8').split('\n')[0]).toMatch(
      /^epoch,step,lr,train_loss/,
    );
    expect(readFileSync(join(out, 'confusion.csv'), 'utf8').split('\n')[0]).toBe('true \\ predicted,0,1,2');
    expect(readFileSync(join(out, 'model.py'), 'utf8')).toMatch(/class \w+\(nn\.Module\)/);
    const holdout = metrics.epochs[2].validation_accuracy * 100;
    expect(accuracyOf(run.text)).toBeCloseTo(holdout, 2);

    for (const weights of ['checkpoint.pt', 'model.pt']) {
      const evaluated = await cli(['evaluate', project, '--weights', join(out, weights), '--data', data]);
      expect(evaluated.code, evaluated.text).toBe(0);
      expect(accuracyOf(evaluated.text)).toBeCloseTo(holdout, 2);
      expect(evaluated.text).toMatch(/of 18 holdout images/);
      expect(evaluated.text).toMatch(/true\\pred/);
    }
    // model.pt is a plain state_dict with the network's keys.
    const model = await readCheckpoint(new Uint8Array(readFileSync(join(out, 'model.pt'))));
    expect([...model.stateDict.keys()]).toEqual(['conv.weight', 'conv.bias', 'fc.weight', 'fc.bias']);
    expect(model.extra.size).toBe(0);
  });

  it('resumes a run folder to the same weights as an uninterrupted run', async () => {
    const straight = join(root, 'straight');
    const split = join(root, 'split');
    expect((await cli(['train', project, '--data', data, '--epochs', '2', '--out', straight])).code).toBe(0);
    expect((await cli(['train', project, '--data', data, '--epochs', '1', '--out', split])).code).toBe(0);
    // --data is not repeated: the run folder remembers it.
    const resumed = await cli(['train', project, '--resume', split, '--epochs', '2']);
    expect(resumed.code, resumed.text).toBe(0);
    expect(resumed.text).toMatch(/resuming [\s\S]* from epoch 1, step 9/);
    const weights = async (dir: string) =>
      [...(await readCheckpoint(new Uint8Array(readFileSync(join(dir, 'model.pt'))))).stateDict.values()].map(
        toNumbers,
      );
    expect(await weights(split)).toEqual(await weights(straight));
    const steps = (dir: string) =>
      JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')).steps.map((s: { loss: number }) => s.loss);
    expect(steps(split)).toEqual(steps(straight));
  });

  it('says what is wrong in one line: a bad option, data that does not fit, a resume that changes the run', async () => {
    const errors: string[] = [];
    const original = console.error;
    console.error = (line: string) => errors.push(line);
    try {
      expect((await cli(['train', project, '--out', join(root, 'x'), '--optimizer', 'rmsprop'])).code).toBe(
        2,
      );
      expect(errors.at(-1)).toMatch(/optimizer must be sgd, adam or adamw/);
      expect((await cli(['train', project, '--out', join(root, 'x'), '--augment', 'twirl'])).code).toBe(2);
      expect(errors.at(-1)).toMatch(/does not know "twirl"/);
      // The built-in digits have 10 classes; this network's Output gives 3.
      expect((await cli(['train', project, '--out', join(root, 'x')])).code).toBe(2);
      expect(errors.at(-1)).toMatch(/data has 10 classes but the network's Output gives 3/);
      expect((await cli(['train', project, '--resume', join(root, 'run'), '--lr', '0.5'])).code).toBe(2);
      expect(errors.at(-1)).toMatch(/cannot change --lr/);
      expect((await cli(['evaluate', project, '--weights', join(root, 'nothing.pt')])).code).toBe(2);
      // Other data than the run folder was trained on.
      const other = join(root, 'other');
      writeBarsIdx(other, 60);
      expect((await cli(['train', project, '--resume', join(root, 'run'), '--data', other])).code).toBe(2);
      expect(errors.at(-1)).toMatch(
        /cannot resume on other data: the checkpoint was trained on 90 images 1x8x8/,
      );
    } finally {
      console.error = original;
    }
  });
});

describe('--backend', () => {
  const facts = (over: Partial<Parameters<typeof softwareAdapter>[0]>) => ({
    vendor: 'nvidia',
    architecture: 'hopper',
    device: '',
    description: 'NVIDIA H200',
    isFallbackAdapter: false,
    label: 'nvidia hopper: NVIDIA H200',
    ...over,
  });

  it('auto tells software adapters (SwiftShader, llvmpipe, WARP, fallback) from hardware ones', () => {
    expect(softwareAdapter(facts({}))).toBeNull();
    expect(softwareAdapter(facts({ vendor: 'apple', architecture: 'metal-3', description: '' }))).toBeNull();
    expect(
      softwareAdapter(
        facts({ vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader driver 5.0.0' }),
      ),
    ).toBe('the adapter is swiftshader, a software renderer');
    expect(
      softwareAdapter(facts({ vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' })),
    ).toMatch(/llvmpipe/);
    expect(softwareAdapter(facts({ description: 'Microsoft Basic Render Driver' }))).toMatch(
      /software renderer/,
    );
    expect(softwareAdapter(facts({ isFallbackAdapter: true }))).toMatch(/fallback/);
  });

  it('says which backend ran and why in one line, and refuses an unknown choice', async () => {
    const out = join(root, 'run-cpu');
    const run = await cli(['train', project, '--data', data, '--epochs', '1', '--out', out]);
    expect(run.code, run.text).toBe(0);
    expect(run.text.split('\n')).toContain('backend cpu (asked for with --backend cpu)');
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.backend).toEqual({
      name: 'cpu',
      reason: 'backend cpu (asked for with --backend cpu)',
      dataPath: 'batches on the CPU; NaN guard, clipping and metrics read back every step',
    });
    const errors: string[] = [];
    const original = console.error;
    console.error = (line: string) => errors.push(line);
    try {
      const bad = await cli(['train', project, '--data', data, '--out', out, '--backend', 'tpu']);
      expect(bad.code).toBe(2);
      expect(errors.at(-1)).toMatch(/--backend must be auto, gpu or cpu, not "tpu"/);
    } finally {
      console.error = original;
    }
  });
});
