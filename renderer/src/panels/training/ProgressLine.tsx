// The line above the charts: Start/Pause/Resume/Stop, the mode the network is in (train or eval), where the run
// is (epoch 3/10, step, images/s, ETA), how it ended, and which engine runs it.

import type { Progress } from '../../session/charts.ts';
import { isRunning, type RunState, useSession } from '../../session/store.ts';
import {
  duration,
  pauseTraining,
  resumeFromCheckpoint,
  resumeTraining,
  startTraining,
  stopTraining,
} from '../../session/training.ts';

const MODE: Record<string, { text: string; title: string }> = {
  starting: { text: 'compiling', title: 'Compiling the network for the engine' },
  training: { text: 'train mode', title: 'net.train(): batch statistics, dropout on, weights updated' },
  validating: { text: 'eval mode', title: 'net.eval(): running statistics, dropout off, no gradients' },
  paused: { text: 'paused', title: 'The run waits before its next step' },
  stopping: { text: 'stopping', title: 'The run ends after the step in progress' },
};

export function EngineNote() {
  const info = useSession((s) => s.info);
  if (!info) return null;
  const threads = info.cpuThreads > 1 ? ` (${info.cpuThreads} threads)` : '';
  if (!info.gpuAvailable)
    return (
      <p className="callout is-warning" data-testid="no-gpu" title={info.reason}>
        No WebGPU adapter: training will use the CPU{threads}, which is much slower. {info.reason}
      </p>
    );
  if (info.backend === 'cpu' && info.software)
    return (
      <p className="hint" data-testid="cpu-chosen">
        Training on the CPU{threads}: the only WebGPU adapter here is a software one ({info.adapter}), slower
        than the CPU engine. Choose WebGPU under Engine to use it anyway.
      </p>
    );
  if (info.backend === 'cpu')
    return (
      <p className="hint">
        Training on the CPU{threads}. WebGPU is available: {info.adapter}.
      </p>
    );
  return (
    <p className="hint" data-testid="gpu-adapter">
      WebGPU: {info.adapter}
      {info.software ? '. A software adapter works but is slow; the CPU engine is usually faster here.' : ''}
    </p>
  );
}

export function ProgressLine({ run, progress }: { run: RunState; progress: Progress | null }) {
  const running = isRunning(run.status);
  const mode = MODE[run.status];
  return (
    <div className="progress-line" data-testid="train-progress" data-status={run.status}>
      <div className="button-row">
        {!running && (
          <button
            type="button"
            className="button is-primary is-small"
            onClick={() => void startTraining()}
            data-testid="train-start"
          >
            Start training
          </button>
        )}
        {!running && (
          <button
            type="button"
            className="button is-small"
            onClick={() => void resumeFromCheckpoint()}
            title="Continue a saved training checkpoint exactly: its weights, optimizer state and data order. The epochs and stop rules are the ones set here."
            data-testid="train-resume-checkpoint"
          >
            Resume checkpoint…
          </button>
        )}
        {running && run.status !== 'paused' && (
          <button
            type="button"
            className="button is-small"
            onClick={() => void pauseTraining()}
            disabled={run.status === 'stopping'}
            data-testid="train-pause"
          >
            Pause
          </button>
        )}
        {run.status === 'paused' && (
          <button
            type="button"
            className="button is-small"
            onClick={() => void resumeTraining()}
            data-testid="train-resume"
          >
            Resume
          </button>
        )}
        {running && (
          <button
            type="button"
            className="button is-small"
            onClick={() => void stopTraining()}
            disabled={run.status === 'stopping'}
            data-testid="train-stop"
          >
            Stop
          </button>
        )}
      </div>
      {mode && (
        <span className={`mode-badge is-${run.status}`} title={mode.title} data-testid="train-mode">
          {mode.text}
        </span>
      )}
      {progress && (
        <span className="progress-line__text" data-testid="train-progress-text">
          epoch {progress.epoch}/{progress.epochs} · step {progress.epochStep}/{progress.stepsPerEpoch} ·{' '}
          {Math.round(progress.imagesPerSecond)} images/s
          {running && run.status !== 'paused' ? ` · ETA ${duration(progress.eta)}` : ''}
        </span>
      )}
      {run.resumedFrom && run.status !== 'idle' && (
        <span className="progress-line__text muted" data-testid="train-resumed">
          from {run.resumedFrom.name}
          {run.resumedFrom.step > 0
            ? ` (epoch ${run.resumedFrom.epoch + 1}, after step ${run.resumedFrom.step})`
            : ''}
        </span>
      )}
      {run.status === 'done' && run.outcome && (
        <span className="progress-line__text" data-testid="train-outcome">
          Training {run.outcome.message}.
        </span>
      )}
      {run.status === 'failed' && run.error && (
        <p className="callout is-error" role="alert" data-testid="train-error">
          Training stopped: {run.error}
        </p>
      )}
      <EngineNote />
    </div>
  );
}
