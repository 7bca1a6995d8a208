// Run settings (defaults from the project, checks), the --augment text, warm-up factors, the stop rules, the
// progress line and pausing a run.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatDuration, ProgressLine } from '../../cli/progress.ts';
import { parseProject } from '../../engine/io/project/project.ts';
import { describeAugment, parseAugment } from '../../engine/train/augment-spec.ts';
import { TrainingControl } from '../../engine/train/control.ts';
import type { EpochMetrics, StepMetrics } from '../../engine/train/metrics.ts';
import { confusionCsv, metricsCsv } from '../../engine/train/metrics.ts';
import { warmupFactor } from '../../engine/train/schedule.ts';
import { runSettings, SettingsError } from '../../engine/train/settings.ts';
import { stopAfterEpoch } from '../../engine/train/stopping.ts';

const epoch = (n: number, loss: number, accuracy: number): EpochMetrics => ({
  epoch: n,
  step: n * 10,
  lr: 0.001,
  trainLoss: loss,
  trainAccuracy: accuracy,
  validationLoss: loss,
  validationAccuracy: accuracy,
  validationSamples: 100,
  confusion: null,
  seconds: 1,
  imagesPerSecond: 100,
});

describe('run settings', () => {
  it("take the project's training settings (LeNet-5: adam, one-cycle to lr 3e-3, batch 32, 5 epochs, 10% holdout)", () => {
    const lenet = parseProject(readFileSync(new URL('../../templates/lenet5.json', import.meta.url), 'utf8'));
    const s = runSettings(lenet.training, { epochs: undefined, seed: 3 });
    expect(s).toMatchObject({
      optimizer: 'adam',
      lr: 3e-3,
      batch_size: 32,
      epochs: 5,
      validation_split: 0.1,
      seed: 3,
    });
    expect(s).toMatchObject({
      betas: [0.9, 0.999],
      eps: 1e-8,
      schedule: { kind: 'onecycle', pct_start: 0.3, div_factor: 25, final_div_factor: 1e4 },
      checkpoint_every: 1,
    });
  });

  it('name the setting at fault', () => {
    expect(() => runSettings(null, { lr: -1 })).toThrow(SettingsError);
    expect(() => runSettings(null, { lr: 0 })).toThrow(/^lr must be a number above 0/);
    expect(() => runSettings(null, { batch_size: 2.5 })).toThrow(/^batch_size must be a whole number/);
    expect(() => runSettings(null, { validation_split: 1 })).toThrow(/^validation_split/);
    expect(() => runSettings(null, { schedule: { kind: 'step', step_size: 0, gamma: 0.1 } })).toThrow(
      /^schedule.step_size/,
    );
    expect(() => runSettings(null, { warmup: { steps: 10, start_factor: 0 } })).toThrow(
      /^warmup.start_factor/,
    );
    expect(() => runSettings(null, { optimizer: 'adam', nesterov: true })).toThrow(/^nesterov needs the sgd/);
    expect(() => runSettings(null, { target_accuracy: 1.5 })).toThrow(/^target_accuracy/);
    expect(() => runSettings(null, { normalize: { mean: [0.5], std: [0] } })).toThrow(/^normalize.std\[0\]/);
  });
});

describe('--augment text', () => {
  it('reads every augmentation and writes it back', () => {
    const o = parseAugment('flip,vflip=0.1,rotate=15,scale=0.9-1.1,translate=2,crop=4,erase=0.25,noise=0.05');
    expect(o).toEqual({
      horizontalFlip: 0.5,
      verticalFlip: 0.1,
      rotation: { degrees: 15 },
      scale: [0.9, 1.1],
      translate: 2,
      crop: { padding: 4 },
      erase: { probability: 0.25 },
      noise: 0.05,
    });
    expect(parseAugment(describeAugment(o))).toEqual(o);
    expect(parseAugment('rotate=0/90/180/270')).toEqual({ rotation: { angles: [0, 90, 180, 270] } });
    expect(parseAugment('none')).toBeNull();
    expect(parseAugment('')).toBeNull();
  });

  it('refuses what it does not know, listing what it does', () => {
    expect(() => parseAugment('flip,twist=3')).toThrow(/does not know "twist"[\s\S]*rotate=D/);
    expect(() => parseAugment('flip=2')).toThrow(/between 0 and 1/);
    expect(() => parseAugment('rotate')).toThrow(/needs a value/);
    expect(() => parseAugment('scale=1.2-0.8')).toThrow(/0 < A <= B/);
  });
});

describe('schedules and stop rules', () => {
  it('warm-up rises linearly from start_factor to 1 and stays there', () => {
    const w = { steps: 4, start_factor: 0.2 };
    expect([0, 1, 2, 3, 4, 5, 100].map((s) => warmupFactor(w, s))).toEqual(
      [0.2, 0.4, 0.6, 0.8, 1, 1, 1].map((v) => expect.closeTo(v, 12)),
    );
    expect(warmupFactor(null, 0)).toBe(1);
  });

  it('early stopping counts epochs since the best loss, improvements needing more than min_delta', () => {
    const rule = { target_accuracy: null, early_stopping: { patience: 2, min_delta: 0.01 } };
    const h = [epoch(1, 1.0, 0.5), epoch(2, 0.8, 0.6), epoch(3, 0.795, 0.6)];
    expect(stopAfterEpoch(h, rule)).toBeNull();
    const stop = stopAfterEpoch([...h, epoch(4, 0.81, 0.6)], rule);
    expect(stop?.reason).toBe('earlyStopping');
    expect(stop?.message).toMatch(/not improved for 2 epochs \(best 0.8000 after epoch 2\)/);
  });

  it('a target accuracy stops at the first epoch that reaches it', () => {
    const rule = { target_accuracy: 0.9, early_stopping: null };
    expect(stopAfterEpoch([epoch(1, 1, 0.89)], rule)).toBeNull();
    expect(stopAfterEpoch([epoch(1, 1, 0.89), epoch(2, 1, 0.9)], rule)?.message).toMatch(
      /after epoch 2: validation accuracy 90.00% >= 90.00%/,
    );
  });
});

describe('metrics files and the progress line', () => {
  it('write one CSV row per epoch and a named confusion matrix', () => {
    const csv = metricsCsv([epoch(1, 0.5, 0.75)]).split('\n');
    expect(csv[0]).toBe(
      'epoch,step,lr,train_loss,train_accuracy,validation_loss,validation_accuracy,validation_samples,seconds,images_per_second',
    );
    expect(csv[1]).toBe('1,10,0.001,0.5,0.75,0.5,0.75,100,1,100');
    expect(
      confusionCsv(
        [
          [3, 1],
          [0, 4],
        ],
        ['cat', 'dog, big'],
      ),
    ).toBe('true \\ predicted,cat,"dog, big"\ncat,3,1\n"dog, big",0,4\n');
  });

  it('redraws in place on a terminal with an ETA, and prints one line per epoch', () => {
    const drawn: string[] = [];
    const lines: string[] = [];
    let t = 0;
    const progress = new ProgressLine(
      2,
      (l) => lines.push(l),
      { write: (s) => drawn.push(s) },
      () => t,
    );
    const step = (n: number): StepMetrics => ({
      epoch: 1,
      epochStep: n,
      stepsPerEpoch: 10,
      step: n,
      totalSteps: 20,
      loss: 1 / n,
      accuracy: 0.5,
      lr: 0.001,
      imagesPerSecond: 640,
      gradNorm: null,
    });
    t = 1000;
    progress.step(step(1));
    t = 2000;
    progress.step(step(2));
    const clear = '\r\x1b[2K';
    expect(drawn.at(-1)!.startsWith(clear)).toBe(true);
    expect(drawn.at(-1)!.slice(clear.length)).toMatch(
      /^epoch 1\/2 {2}step 2\/10 {2}loss 0.7500 {2}acc 50.0% {2}640 img\/s .* ETA 18s$/,
    );
    progress.epoch(epoch(1, 0.5, 0.75));
    expect(drawn.at(-1)).toBe('\r\x1b[2K');
    expect(lines).toEqual([
      'epoch 1/2: train loss 0.5000 acc 75.0%, validation loss 0.5000 acc 75.0% (100 images), 100 images/s, 1.0 s',
    ]);
    expect([formatDuration(5), formatDuration(75), formatDuration(3725)]).toEqual(['5s', '1m15s', '1h02m']);
  });
});

describe('training control', () => {
  it('pauses until resumed, and a stop releases a paused run', async () => {
    const control = new TrainingControl();
    control.pause();
    let released = false;
    const waiting = control.shouldStop().then((stop) => {
      released = true;
      return stop;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(released).toBe(false);
    control.resume();
    expect(await waiting).toBe(false);
    control.pause();
    const stopping = control.shouldStop();
    control.stop();
    expect(await stopping).toBe(true);
    const aborted = new AbortController();
    const fromSignal = TrainingControl.fromSignal(aborted.signal);
    expect(fromSignal.stopped).toBe(false);
    aborted.abort();
    expect(fromSignal.stopped).toBe(true);
  });
});
