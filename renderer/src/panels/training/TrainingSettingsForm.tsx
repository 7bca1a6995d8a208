// Training settings: backend, optimizer, learning rate and its schedule, batch size, epochs, seed, validation
// split, stop conditions and clipping. All but the backend and the starting weights are the project's (they save
// with it).

import type { LrSchedule } from '../../../../engine/train/settings.ts';
import { chooseBackend } from '../../session/data.ts';
import { sessionStore, useSession } from '../../session/store.ts';
import { projectTraining, updateTraining } from '../../session/training.ts';
import { useEditor } from '../../store/useEditor.ts';
import { NumberField } from '../common/NumberField.tsx';

const SCHEDULES: Record<LrSchedule['kind'], LrSchedule> = {
  constant: { kind: 'constant' },
  step: { kind: 'step', step_size: 1, gamma: 0.5 },
  cosine: { kind: 'cosine', eta_min: 0 },
  onecycle: { kind: 'onecycle', pct_start: 0.3, div_factor: 25, final_div_factor: 1e4 },
};

export function TrainingSettingsForm({ locked }: { locked: boolean }) {
  useEditor((s) => s.meta.training);
  const t = projectTraining();
  const info = useSession((s) => s.info);
  const prefer = useSession((s) => s.prefer);
  const continueWeights = useSession((s) => s.continueWeights);
  const weights = useSession((s) => s.weights);
  const schedule: LrSchedule = t.schedule ?? SCHEDULES.constant;

  return (
    <div className="training-settings" data-testid="training-settings">
      <div className="form-grid">
        <label htmlFor="train-backend">Engine</label>
        <select
          id="train-backend"
          className="select"
          value={info?.backend ?? (prefer === 'auto' ? 'gpu' : prefer)}
          disabled={locked || !info}
          onChange={(e) => void chooseBackend(e.target.value as 'gpu' | 'cpu')}
          data-testid="train-backend"
        >
          <option value="gpu" disabled={info ? !info.gpuAvailable : false}>
            WebGPU{info?.software ? ' (software)' : ''}
          </option>
          <option value="cpu">CPU</option>
        </select>
        <label htmlFor="train-optimizer">Optimizer</label>
        <select
          id="train-optimizer"
          className="select"
          value={t.optimizer}
          disabled={locked}
          onChange={(e) => updateTraining({ optimizer: e.target.value as typeof t.optimizer })}
        >
          <option value="adam">Adam</option>
          <option value="adamw">AdamW</option>
          <option value="sgd">SGD</option>
        </select>
        <label htmlFor="train-lr">Learning rate</label>
        <NumberField
          id="train-lr"
          label="Learning rate"
          value={t.lr}
          min={1e-8}
          max={10}
          step="any"
          disabled={locked}
          onChange={(lr) => updateTraining({ lr })}
          testId="train-lr"
        />
        {t.optimizer === 'sgd' && (
          <>
            <label htmlFor="train-momentum">Momentum</label>
            <NumberField
              id="train-momentum"
              label="Momentum"
              value={t.momentum}
              min={0}
              max={0.999}
              step={0.05}
              disabled={locked}
              onChange={(momentum) => updateTraining({ momentum })}
            />
          </>
        )}
        <label htmlFor="train-decay">Weight decay</label>
        <NumberField
          id="train-decay"
          label="Weight decay"
          value={t.weight_decay}
          min={0}
          max={1}
          step="any"
          disabled={locked}
          onChange={(weight_decay) => updateTraining({ weight_decay })}
        />
        <label htmlFor="train-schedule">LR schedule</label>
        <span className="form-grid__pair">
          <select
            id="train-schedule"
            className="select"
            value={schedule.kind}
            disabled={locked}
            onChange={(e) => updateTraining({ schedule: SCHEDULES[e.target.value as LrSchedule['kind']] })}
          >
            <option value="constant">constant</option>
            <option value="step">step (per epoch)</option>
            <option value="cosine">cosine</option>
            <option value="onecycle">one cycle</option>
          </select>
          {schedule.kind === 'step' && (
            <NumberField
              label="Multiply the learning rate by this each epoch"
              value={schedule.gamma}
              min={0.01}
              max={1}
              step={0.05}
              disabled={locked}
              onChange={(gamma) => updateTraining({ schedule: { ...schedule, gamma } })}
            />
          )}
        </span>
        <label htmlFor="train-batch">Batch size</label>
        <NumberField
          id="train-batch"
          label="Batch size"
          value={t.batch_size}
          min={1}
          max={4096}
          disabled={locked}
          onChange={(batch_size) => updateTraining({ batch_size })}
          testId="train-batch"
        />
        <label htmlFor="train-epochs">Epochs</label>
        <NumberField
          id="train-epochs"
          label="Epochs"
          value={t.epochs}
          min={1}
          max={1000}
          disabled={locked}
          onChange={(epochs) => updateTraining({ epochs })}
          testId="train-epochs"
        />
        <label htmlFor="train-seed">Seed</label>
        <NumberField
          id="train-seed"
          label="Seed"
          value={t.seed}
          min={0}
          max={2 ** 31}
          disabled={locked}
          onChange={(seed) => updateTraining({ seed })}
        />
        <label htmlFor="train-split">Validation %</label>
        <NumberField
          id="train-split"
          label="Share of the data held out for validation, in percent"
          value={Math.round(t.validation_split * 1000) / 10}
          min={0}
          max={90}
          step={1}
          disabled={locked}
          onChange={(v) => updateTraining({ validation_split: v / 100 })}
          testId="train-split"
        />
        <label htmlFor="train-patience">Stop after no gain</label>
        <NumberField
          id="train-patience"
          label="Stop when the validation loss has not improved for this many epochs (0: never)"
          value={t.early_stopping?.patience ?? 0}
          min={0}
          max={100}
          disabled={locked}
          onChange={(p) =>
            updateTraining({
              early_stopping: p ? { patience: p, min_delta: t.early_stopping?.min_delta ?? 0 } : null,
            })
          }
        />
        <label htmlFor="train-target">Stop at accuracy %</label>
        <NumberField
          id="train-target"
          label="Stop once validation accuracy reaches this percentage (0: never)"
          value={t.target_accuracy == null ? 0 : Math.round(t.target_accuracy * 1000) / 10}
          min={0}
          max={100}
          step={0.5}
          disabled={locked}
          onChange={(v) => updateTraining({ target_accuracy: v ? v / 100 : null })}
        />
        <label htmlFor="train-clip">Clip grad norm</label>
        <NumberField
          id="train-clip"
          label="Clip the gradient norm to this (0: off)"
          value={t.clip_grad_norm ?? 0}
          min={0}
          max={1000}
          step="any"
          disabled={locked}
          onChange={(v) => updateTraining({ clip_grad_norm: v || null })}
        />
        <label htmlFor="train-continue">Start from</label>
        <select
          id="train-continue"
          className="select"
          value={continueWeights ? 'current' : 'fresh'}
          disabled={locked}
          onChange={(e) => sessionStore().setState({ continueWeights: e.target.value === 'current' })}
        >
          <option value="fresh">fresh (seeded init)</option>
          <option value="current" disabled={weights === 'initial'}>
            the {weights === 'loaded' ? 'loaded' : 'trained'} weights
          </option>
        </select>
      </div>
    </div>
  );
}
