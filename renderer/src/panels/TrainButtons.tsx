// The toolbar's training controls: Train (opens the Training tab and starts), then Pause/Resume and Stop.

import { isRunning, useSession } from '../session/store.ts';
import { startTraining, stopTraining, togglePause } from '../session/training.ts';

export function TrainButtons() {
  const status = useSession((s) => s.run.status);
  const running = isRunning(status);
  if (!running)
    return (
      <button
        type="button"
        className="button is-primary is-small"
        onClick={() => void startTraining()}
        title="Train the network on the data (Ctrl+Enter)"
        data-testid="toolbar-train"
      >
        Train ▶
      </button>
    );
  return (
    <span className="toolbar__group">
      <button
        type="button"
        className="button is-small"
        onClick={() => void togglePause()}
        disabled={status === 'stopping'}
      >
        {status === 'paused' ? 'Resume' : 'Pause'}
      </button>
      <button
        type="button"
        className="button is-small"
        onClick={() => void stopTraining()}
        disabled={status === 'stopping'}
      >
        Stop
      </button>
    </span>
  );
}
