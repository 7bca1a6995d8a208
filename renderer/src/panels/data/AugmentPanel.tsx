// Augmentation for training (SEED.md section 6): flips, rotation (a range or a fixed set), scale, translation,
// crop, erase, noise and normalisation, with the same samples shown augmented live and re-rolled on demand.

import type { AugmentOptions } from '../../../../engine/data/augment.ts';
import { rerollAugment, setAugment } from '../../session/data.ts';
import { NO_CLASSES, useSession } from '../../session/store.ts';
import { updateTraining } from '../../session/training.ts';
import { useEditor } from '../../store/useEditor.ts';
import { NumberField } from '../common/NumberField.tsx';
import { SampleGrid } from '../common/SampleGrid.tsx';

type Rotation = 'none' | 'range' | 'set';

function rotationKind(options: AugmentOptions): Rotation {
  if (!options.rotation) return 'none';
  return 'degrees' in options.rotation ? 'range' : 'set';
}

const NO_AUGMENT: AugmentOptions = {};

export function AugmentPanel() {
  // Augmentation and normalisation are the project's (they save with it).
  const options = useEditor((s) => s.meta.training?.augment) ?? NO_AUGMENT;
  const normalize = useEditor((s) => s.meta.training?.normalize) ?? null;
  const augmented = useSession((s) => s.augmented);
  const classes = useSession((s) => s.data?.classes ?? NO_CLASSES);
  const rotation = rotationKind(options);
  const on = (value: boolean, probability = 0.5) => (value ? probability : undefined);
  const normalizeKind = normalize === null ? 'none' : normalize === 'dataset' ? 'dataset' : 'fixed';
  const setNormalize = (value: string) => {
    if (value !== 'fixed') updateTraining({ normalize: value === 'dataset' ? 'dataset' : null });
  };

  return (
    <section className="dock-section data-tab__augment" data-testid="augment">
      <div className="dock-section__head">
        <h3 className="dock-section__title">Augmentation (training only)</h3>
        <button
          type="button"
          className="button is-small"
          onClick={rerollAugment}
          data-testid="augment-reroll"
        >
          Re-roll
        </button>
      </div>
      <div className="augment">
        <div className="form-grid">
          <label htmlFor="aug-hflip">Flip left-right</label>
          <input
            id="aug-hflip"
            type="checkbox"
            checked={(options.horizontalFlip ?? 0) > 0}
            onChange={(e) => setAugment({ horizontalFlip: on(e.target.checked) })}
          />
          <label htmlFor="aug-vflip">Flip upside down</label>
          <input
            id="aug-vflip"
            type="checkbox"
            checked={(options.verticalFlip ?? 0) > 0}
            onChange={(e) => setAugment({ verticalFlip: on(e.target.checked) })}
          />
          <label htmlFor="aug-rotation">Rotate</label>
          <span className="form-grid__pair">
            <select
              id="aug-rotation"
              className="select"
              value={rotation}
              onChange={(e) => {
                const kind = e.target.value as Rotation;
                setAugment({
                  rotation:
                    kind === 'range'
                      ? { degrees: 15 }
                      : kind === 'set'
                        ? { angles: [0, 90, 180, 270] }
                        : undefined,
                });
              }}
            >
              <option value="none">no</option>
              <option value="range">within ± degrees</option>
              <option value="set">0 / 90 / 180 / 270</option>
            </select>
            {options.rotation && 'degrees' in options.rotation && (
              <NumberField
                label="Largest angle in degrees"
                value={options.rotation.degrees}
                min={0}
                max={180}
                onChange={(degrees) => setAugment({ rotation: { degrees } })}
              />
            )}
          </span>
          <label htmlFor="aug-scale">Scale</label>
          <span className="form-grid__pair">
            <NumberField
              id="aug-scale"
              label="Smallest zoom"
              value={options.scale?.[0] ?? 1}
              min={0.5}
              max={2}
              step={0.05}
              onChange={(lo) =>
                setAugment({
                  scale:
                    lo === 1 && (options.scale?.[1] ?? 1) === 1 ? undefined : [lo, options.scale?.[1] ?? 1],
                })
              }
            />
            <span className="muted">to</span>
            <NumberField
              label="Largest zoom"
              value={options.scale?.[1] ?? 1}
              min={0.5}
              max={2}
              step={0.05}
              onChange={(hi) =>
                setAugment({
                  scale:
                    hi === 1 && (options.scale?.[0] ?? 1) === 1 ? undefined : [options.scale?.[0] ?? 1, hi],
                })
              }
            />
          </span>
          <label htmlFor="aug-translate">Move up to (px)</label>
          <NumberField
            id="aug-translate"
            label="Largest shift in pixels"
            value={options.translate ?? 0}
            min={0}
            max={16}
            onChange={(v) => setAugment({ translate: v || undefined })}
          />
          <label htmlFor="aug-crop">Crop, padding (px)</label>
          <NumberField
            id="aug-crop"
            label="Zero padding of the random crop"
            value={options.crop?.padding ?? 0}
            min={0}
            max={16}
            onChange={(v) => setAugment({ crop: v ? { padding: v } : undefined })}
          />
          <label htmlFor="aug-erase">Erase a patch (prob.)</label>
          <NumberField
            id="aug-erase"
            label="Probability of erasing a patch"
            value={options.erase?.probability ?? 0}
            min={0}
            max={1}
            step={0.1}
            onChange={(v) => setAugment({ erase: v ? { probability: v } : undefined })}
          />
          <label htmlFor="aug-noise">White noise (std)</label>
          <NumberField
            id="aug-noise"
            label="Noise standard deviation"
            value={options.noise ?? 0}
            min={0}
            max={1}
            step={0.02}
            onChange={(v) => setAugment({ noise: v || undefined })}
          />
          <label htmlFor="aug-normalize">Normalise</label>
          <select
            id="aug-normalize"
            className="select"
            value={normalizeKind}
            onChange={(e) => setNormalize(e.target.value)}
          >
            <option value="none">no (pixels / 255)</option>
            <option value="dataset">by the data's mean and std</option>
            {normalize !== null && normalize !== 'dataset' && (
              <option value="fixed">
                mean {normalize.mean.join(', ')} / std {normalize.std.join(', ')}
              </option>
            )}
          </select>
        </div>
        {augmented && <SampleGrid block={augmented} classes={classes} size={40} testId="augment-samples" />}
      </div>
    </section>
  );
}
