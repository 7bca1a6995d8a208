// PyTorch decides: the learning rate of every step under each schedule equals torch 1.13's schedulers
// (StepLR, CosineAnnealingLR, OneCycleLR, LinearLR warm-up chained with them), stepped as schedule.ts says.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { learningRates } from '../../engine/train/schedule.ts';
import type { LrSchedule, Warmup } from '../../engine/train/settings.ts';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./train_schedules.py', import.meta.url));

interface Case {
  lr: number;
  epochs: number;
  steps_per_epoch: number;
  schedule: LrSchedule;
  warmup?: Warmup;
}

const CASES: Record<string, Case> = {
  constant: { lr: 0.01, epochs: 2, steps_per_epoch: 4, schedule: { kind: 'constant' } },
  step: { lr: 0.1, epochs: 7, steps_per_epoch: 3, schedule: { kind: 'step', step_size: 2, gamma: 0.5 } },
  cosine: { lr: 0.1, epochs: 4, steps_per_epoch: 5, schedule: { kind: 'cosine', eta_min: 0.001 } },
  onecycle: {
    lr: 0.1,
    epochs: 3,
    steps_per_epoch: 7,
    schedule: { kind: 'onecycle', pct_start: 0.3, div_factor: 25, final_div_factor: 1e4 },
  },
  'onecycle, uneven phases': {
    lr: 0.003,
    epochs: 5,
    steps_per_epoch: 13,
    schedule: { kind: 'onecycle', pct_start: 0.25, div_factor: 10, final_div_factor: 100 },
  },
  warmup: {
    lr: 0.01,
    epochs: 3,
    steps_per_epoch: 4,
    schedule: { kind: 'constant' },
    warmup: { steps: 5, start_factor: 0.1 },
  },
  'warmup + step': {
    lr: 0.1,
    epochs: 5,
    steps_per_epoch: 3,
    schedule: { kind: 'step', step_size: 1, gamma: 0.7 },
    warmup: { steps: 7, start_factor: 0.25 },
  },
  'warmup + cosine': {
    lr: 0.05,
    epochs: 3,
    steps_per_epoch: 6,
    schedule: { kind: 'cosine', eta_min: 0 },
    warmup: { steps: 4, start_factor: 0.01 },
  },
};

let torch: Record<string, number[]> = {};

beforeAll(() => {
  if (!existsSync(PYTHON))
    throw new Error(
      `PyTorch oracle: ${PYTHON} does not exist. Install Debian's python3-torch (apt-get install python3-torch); never pip.`,
    );
  const run = spawnSync(PYTHON, [SCRIPT], { input: JSON.stringify(CASES), encoding: 'utf8' });
  if (run.status !== 0)
    throw new Error(`train_schedules.py failed (is python3-torch installed?):\n${run.stderr}`);
  torch = JSON.parse(run.stdout);
});

describe('learning-rate schedules against torch 1.13', () => {
  for (const [name, c] of Object.entries(CASES))
    it(`${name}: every step's lr`, () => {
      const ours = learningRates(
        { lr: c.lr, schedule: c.schedule, warmup: c.warmup ?? null },
        c.epochs,
        c.steps_per_epoch,
      );
      const theirs = torch[name]!;
      expect(ours.length).toBe(theirs.length);
      // torch updates most schedules recursively (lr x factor each step); the closed forms agree to rounding.
      ours.forEach((lr, i) => {
        expect(Math.abs(lr - theirs[i]!), `${name} step ${i}: ${lr} vs ${theirs[i]}`).toBeLessThanOrEqual(
          1e-12 * Math.max(1e-3, Math.abs(theirs[i]!)),
        );
      });
    });
});
