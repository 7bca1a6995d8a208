// The Training tab: settings on the left; on the right the progress line with Start/Pause/Resume/Stop, the
// charts (loss, accuracy, learning rate), the last epoch's confusion matrix and the validation gallery.

import { useMemo } from 'react';
import { chartData, progressOf } from '../../session/charts.ts';
import { isRunning, NO_CLASSES, useSession } from '../../session/store.ts';
import { duration } from '../../session/training.ts';
import { ConfusionMatrix } from './ConfusionMatrix.tsx';
import { LineChart } from './LineChart.tsx';
import { PredictionGallery } from './PredictionGallery.tsx';
import { ProgressLine } from './ProgressLine.tsx';
import { TrainingSettingsForm } from './TrainingSettingsForm.tsx';

const TRAIN = 'var(--chart-train)';
const VALID = 'var(--chart-validation)';
const LR = 'var(--chart-lr)';

export function TrainingPanel() {
  const run = useSession((s) => s.run);
  const classes = useSession((s) => s.data?.classes ?? NO_CLASSES);
  const running = isRunning(run.status);
  const chart = useMemo(() => chartData(run.steps, run.epochs), [run.steps, run.epochs]);
  const epochs = run.settings?.epochs ?? 1;
  const last = run.epochs.at(-1);
  const progress = progressOf(run.steps, epochs, run.settings?.batch_size ?? 1);

  return (
    <div className="training-tab" data-testid="training-tab">
      <section className="dock-section training-tab__settings">
        <h3 className="dock-section__title">Settings</h3>
        <TrainingSettingsForm locked={running} />
      </section>
      <section className="dock-section training-tab__main">
        <ProgressLine run={run} progress={progress} />
        <div className="charts">
          <LineChart
            title="Loss"
            testId="chart-loss"
            xMax={epochs}
            series={[
              { name: 'train (steps)', colour: TRAIN, points: chart.trainLossSteps, faint: true },
              { name: 'train', colour: TRAIN, points: chart.trainLoss, dots: true },
              { name: 'validation', colour: VALID, points: chart.validationLoss, dots: true },
            ]}
          />
          <LineChart
            title="Accuracy"
            testId="chart-accuracy"
            xMax={epochs}
            yMax={1}
            percent
            series={[
              { name: 'train (steps)', colour: TRAIN, points: chart.trainAccuracySteps, faint: true },
              { name: 'train', colour: TRAIN, points: chart.trainAccuracy, dots: true },
              { name: 'validation', colour: VALID, points: chart.validationAccuracy, dots: true },
            ]}
          />
          <LineChart
            title="Learning rate"
            testId="chart-lr"
            xMax={epochs}
            series={[{ name: 'learning rate', colour: LR, points: chart.lrSteps }]}
          />
        </div>
        {last && (
          <p className="epoch-line" data-testid="epoch-summary">
            Epoch {last.epoch}: train loss {last.trainLoss.toFixed(4)}, accuracy{' '}
            {(last.trainAccuracy * 100).toFixed(1)}%
            {last.validationAccuracy !== null && (
              <>
                {' '}
                · validation loss {last.validationLoss?.toFixed(4)}, accuracy{' '}
                <strong data-testid="validation-accuracy" data-value={last.validationAccuracy}>
                  {(last.validationAccuracy * 100).toFixed(2)}%
                </strong>{' '}
                ({last.validationSamples} images, eval mode)
              </>
            )}{' '}
            <span
              className="muted"
              data-testid="epoch-speed"
              data-value={last.imagesPerSecond}
              data-seconds={last.seconds}
            >
              · {Math.round(last.imagesPerSecond)} images/s, {duration(last.seconds)}
            </span>
          </p>
        )}
        <div className="training-tab__below">
          {last?.confusion && (
            <ConfusionMatrix confusion={last.confusion} classes={classes} epoch={last.epoch} />
          )}
          {run.gallery && <PredictionGallery gallery={run.gallery} classes={classes} />}
        </div>
      </section>
    </div>
  );
}
