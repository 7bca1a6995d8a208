// The project file's version-2 training settings (augmentation, normalisation, warm-up, clipping, stop rules):
// they round-trip exactly, older files open with them off, the engine's run settings take them, and a bad value
// is refused naming the field.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TRAINING,
  newProject,
  PROJECT_VERSION,
  type Project,
  ProjectError,
  parseProject,
  serializeProject,
  type TrainingSettings,
} from '../../engine/io/project/project.ts';
import { runSettings } from '../../engine/train/settings.ts';

const EMPTY = { nodes: [], edges: [], groups: [] };

/** Every version-2 setting on, with values a user could pick. */
const FULL: TrainingSettings = {
  ...DEFAULT_TRAINING,
  schedule: { kind: 'cosine', eta_min: 1e-5 },
  augment: {
    horizontalFlip: 0.5,
    verticalFlip: 0.25,
    rotation: { degrees: 15 },
    scale: [0.9, 1.1],
    translate: 2,
    crop: { padding: 4 },
    erase: { probability: 0.5, area: [0.02, 0.33], ratio: [0.3, 3.3] },
    noise: 0.05,
  },
  normalize: { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.243, 0.261] },
  warmup: { steps: 100, start_factor: 0.1 },
  clip_grad_norm: 1,
  early_stopping: { patience: 3, min_delta: 0.001 },
  target_accuracy: 0.99,
};

const project = (training: TrainingSettings | null): Project => newProject('run', EMPTY, { training });

function refuse(training: unknown): ProjectError {
  const data = JSON.parse(serializeProject(project(FULL)));
  data.training = training;
  try {
    parseProject(JSON.stringify(data));
  } catch (error) {
    expect(error).toBeInstanceOf(ProjectError);
    return error as ProjectError;
  }
  throw new Error(`accepted ${JSON.stringify(training)}`);
}

describe('version-2 training settings in the project file', () => {
  it('round-trip exactly, written as version 2 in a fixed key order', () => {
    const text = serializeProject(project(FULL));
    const data = JSON.parse(text);
    expect(data.version).toBe(2);
    expect(Object.keys(data.training)).toEqual([
      'optimizer',
      'lr',
      'momentum',
      'weight_decay',
      'batch_size',
      'epochs',
      'seed',
      'validation_split',
      'schedule',
      'augment',
      'normalize',
      'warmup',
      'clip_grad_norm',
      'early_stopping',
      'target_accuracy',
    ]);
    const opened = parseProject(text);
    expect(opened.training).toStrictEqual(FULL);
    expect(serializeProject(opened)).toBe(text);
    // The same settings with keys in another order in memory save as the same bytes.
    const shuffled = Object.fromEntries(Object.entries(FULL).reverse()) as unknown as TrainingSettings;
    shuffled.augment = Object.fromEntries(Object.entries(FULL.augment!).reverse());
    expect(serializeProject(project(shuffled))).toBe(text);
  });

  it('each setting alone round-trips, including a set of rotation angles and dataset normalisation', () => {
    const one: Partial<TrainingSettings>[] = [
      { augment: { rotation: { angles: [0, 90, 180, 270] } } },
      { augment: { erase: { probability: 0.3 } } },
      { normalize: 'dataset' },
      { warmup: { steps: 1, start_factor: 1 } },
      { clip_grad_norm: 0.5 },
      { early_stopping: { patience: 1, min_delta: 0 } },
      { target_accuracy: 1 },
    ];
    for (const extra of one) {
      const settings = { ...DEFAULT_TRAINING, ...extra };
      const text = serializeProject(project(settings));
      expect(JSON.parse(text).version).toBe(2);
      expect(parseProject(text).training).toStrictEqual(settings);
    }
  });

  it('off is not written: null, absent and no augmentation all save as a version-1 file', () => {
    const off: TrainingSettings = {
      ...DEFAULT_TRAINING,
      augment: {},
      normalize: null,
      warmup: null,
      clip_grad_norm: null,
      early_stopping: null,
      target_accuracy: null,
    };
    const text = serializeProject(project(off));
    expect(text).toBe(serializeProject(project(DEFAULT_TRAINING)));
    expect(JSON.parse(text).version).toBe(1);
    expect(parseProject(text).training).toStrictEqual(DEFAULT_TRAINING);
  });

  it('an older (version 1) file opens with them all off, and explicit nulls read as off', () => {
    const v1 = JSON.parse(serializeProject(project(DEFAULT_TRAINING)));
    expect(v1.version).toBe(1);
    expect(parseProject(JSON.stringify(v1)).training).toStrictEqual(DEFAULT_TRAINING);
    const nulls = { ...v1, version: 2 };
    nulls.training = {
      ...v1.training,
      augment: null,
      normalize: null,
      warmup: null,
      clip_grad_norm: null,
      early_stopping: null,
      target_accuracy: null,
    };
    expect(parseProject(JSON.stringify(nulls)).training).toStrictEqual(DEFAULT_TRAINING);
    // The committed templates are version-1 files and still open.
    const lenet = parseProject(
      readFileSync(join(import.meta.dirname, '../../templates/lenet5.json'), 'utf8'),
    );
    expect(lenet.training?.augment).toBeUndefined();
    expect(PROJECT_VERSION).toBe(2);
  });

  it('the engine runs with what the project holds, and the defaults where it holds nothing', () => {
    const saved = parseProject(serializeProject(project(FULL))).training;
    const run = runSettings(saved);
    expect(run.augment).toStrictEqual(FULL.augment);
    expect(run.normalize).toStrictEqual(FULL.normalize);
    expect(run.warmup).toStrictEqual(FULL.warmup);
    expect(run.clip_grad_norm).toBe(1);
    expect(run.early_stopping).toStrictEqual(FULL.early_stopping);
    expect(run.target_accuracy).toBe(0.99);
    const old = runSettings(parseProject(serializeProject(project(DEFAULT_TRAINING))).training);
    expect([
      old.augment,
      old.normalize,
      old.warmup,
      old.clip_grad_norm,
      old.early_stopping,
      old.target_accuracy,
    ]).toEqual([null, null, null, null, null, null]);
  });

  it.each([
    ['augment a list', (t: TrainingSettings) => ({ ...t, augment: [] }), 'project.training.augment'],
    [
      'an unknown augmentation',
      (t: TrainingSettings) => ({ ...t, augment: { hflip: 0.5 } }),
      'project.training.augment.hflip',
    ],
    [
      'a flip probability above 1',
      (t: TrainingSettings) => ({ ...t, augment: { horizontalFlip: 2 } }),
      'project.training.augment.horizontalFlip',
    ],
    [
      'rotation with neither degrees nor angles',
      (t: TrainingSettings) => ({ ...t, augment: { rotation: {} } }),
      'project.training.augment.rotation',
    ],
    [
      'rotation angles as text',
      (t: TrainingSettings) => ({ ...t, augment: { rotation: { angles: [0, '90'] } } }),
      'project.training.augment.rotation.angles[1]',
    ],
    [
      'a scale range from high to low',
      (t: TrainingSettings) => ({ ...t, augment: { scale: [1.1, 0.9] } }),
      'project.training.augment.scale',
    ],
    [
      'a scale of three numbers',
      (t: TrainingSettings) => ({ ...t, augment: { scale: [0.9, 1, 1.1] } }),
      'project.training.augment.scale',
    ],
    [
      'a fractional translation',
      (t: TrainingSettings) => ({ ...t, augment: { translate: 1.5 } }),
      'project.training.augment.translate',
    ],
    [
      'crop without padding',
      (t: TrainingSettings) => ({ ...t, augment: { crop: {} } }),
      'project.training.augment.crop.padding',
    ],
    [
      'an erase area past the image',
      (t: TrainingSettings) => ({ ...t, augment: { erase: { probability: 0.5, area: [0.1, 2] } } }),
      'project.training.augment.erase.area[1]',
    ],
    [
      'negative noise',
      (t: TrainingSettings) => ({ ...t, augment: { noise: -0.1 } }),
      'project.training.augment.noise',
    ],
    [
      'normalisation by name other than dataset',
      (t: TrainingSettings) => ({ ...t, normalize: 'imagenet' }),
      'project.training.normalize',
    ],
    [
      'normalisation with a zero std',
      (t: TrainingSettings) => ({ ...t, normalize: { mean: [0.5], std: [0] } }),
      'project.training.normalize.std[0]',
    ],
    [
      'normalisation with more means than stds',
      (t: TrainingSettings) => ({ ...t, normalize: { mean: [0.5, 0.5], std: [0.2] } }),
      'project.training.normalize',
    ],
    [
      'warm-up of zero steps',
      (t: TrainingSettings) => ({ ...t, warmup: { steps: 0, start_factor: 0.1 } }),
      'project.training.warmup.steps',
    ],
    [
      'warm-up starting above 1',
      (t: TrainingSettings) => ({ ...t, warmup: { steps: 5, start_factor: 2 } }),
      'project.training.warmup.start_factor',
    ],
    [
      'clipping at 0',
      (t: TrainingSettings) => ({ ...t, clip_grad_norm: 0 }),
      'project.training.clip_grad_norm',
    ],
    [
      'early stopping without patience',
      (t: TrainingSettings) => ({ ...t, early_stopping: { min_delta: 0 } }),
      'project.training.early_stopping.patience',
    ],
    [
      'a target accuracy in percent',
      (t: TrainingSettings) => ({ ...t, target_accuracy: 99 }),
      'project.training.target_accuracy',
    ],
  ] as [string, (t: TrainingSettings) => unknown, string][])('%s -> %s', (_what, breakIt, path) => {
    const e = refuse(breakIt(FULL));
    expect(e.path).toBe(path);
    expect(e.message.startsWith(`${path}: `)).toBe(true);
  });
});
