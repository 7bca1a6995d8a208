// When a run ends before its last epoch: a target accuracy reached, or early stopping on a plateau. Both are
// worked out from the epoch history alone, so a resumed run decides exactly as an uninterrupted one.

import type { EpochMetrics } from './metrics.ts';
import type { RunSettings } from './settings.ts';

export type StopReason = 'completed' | 'targetAccuracy' | 'earlyStopping' | 'nonFinite' | 'stopped';

export interface Stop {
  reason: StopReason;
  message: string;
}

const percent = (v: number) => `${(100 * v).toFixed(2)}%`;

/** The stop the history calls for after its last epoch, or null to go on. */
export function stopAfterEpoch(
  history: readonly EpochMetrics[],
  s: Pick<RunSettings, 'target_accuracy' | 'early_stopping'>,
): Stop | null {
  const last = history[history.length - 1];
  if (!last) return null;
  const validation = last.validationAccuracy !== null;
  const what = validation ? 'validation' : 'training';
  if (s.target_accuracy !== null) {
    const accuracy = last.validationAccuracy ?? last.trainAccuracy;
    if (accuracy >= s.target_accuracy)
      return {
        reason: 'targetAccuracy',
        message: `reached the target accuracy after epoch ${last.epoch}: ${what} accuracy ${percent(accuracy)} >= ${percent(s.target_accuracy)}`,
      };
  }
  if (s.early_stopping) {
    const { patience, min_delta } = s.early_stopping;
    let best = Number.POSITIVE_INFINITY;
    let bestAt = -1;
    history.forEach((e, i) => {
      const loss = e.validationLoss ?? e.trainLoss;
      if (loss < best - min_delta) {
        best = loss;
        bestAt = i;
      }
    });
    const since = history.length - 1 - bestAt;
    if (since >= patience)
      return {
        reason: 'earlyStopping',
        message:
          bestAt < 0
            ? `stopped early: the ${what} loss has not been finite for ${since} epochs`
            : `stopped early after epoch ${last.epoch}: the ${what} loss has not improved for ${since} epoch${since === 1 ? '' : 's'} (best ${best.toFixed(4)} after epoch ${history[bestAt]!.epoch})`,
      };
  }
  return null;
}

/** The message for a loss that became NaN or infinite. */
export function nonFiniteMessage(
  loss: number,
  epoch: number,
  epochStep: number,
  stepsPerEpoch: number,
  step: number,
): string {
  return (
    `the loss became ${Number.isNaN(loss) ? 'NaN' : 'infinite'} at epoch ${epoch}, step ${epochStep} of ${stepsPerEpoch} ` +
    `(step ${step} of the run); training stopped and the last good checkpoint holds the weights from before that step. ` +
    'Try a lower learning rate or gradient clipping, or check the data for bad values.'
  );
}
