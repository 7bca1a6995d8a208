// Per layer: histograms of weights, gradients (of the latest training step) and activations (for the sample),
// and BatchNorm's running mean and variance per channel.

import type { LayerStats } from '../../worker/protocol.ts';
import { barsPath, HistogramBars } from './HistogramBars.tsx';

function ChannelBars({ values, label }: { values: readonly number[]; label: string }) {
  const most = Math.max(1e-12, ...values.map(Math.abs));
  const width = 120;
  const height = 28;
  return (
    <svg width={width} height={height} role="img" aria-label={label}>
      <title>{`${label}: ${values.map((v) => v.toPrecision(3)).join(', ')}`}</title>
      <line x1={0} x2={width} y1={height / 2} y2={height / 2} className="chart__grid" />
      <path
        d={barsPath(
          values.map((v) => v / most),
          width,
          height,
          true,
        )}
        fill="var(--chart-validation)"
      />
    </svg>
  );
}

export function LayerStatsTable({ layers, selected }: { layers: readonly LayerStats[]; selected: string }) {
  const anyBn = layers.some((l) => l.runningMean);
  return (
    <table className="layer-stats" data-testid="layer-stats">
      <thead>
        <tr>
          <th scope="col">Layer</th>
          <th scope="col">Weights</th>
          <th scope="col">Gradients</th>
          <th scope="col">Activations</th>
          {anyBn && <th scope="col">BN running mean / var</th>}
        </tr>
      </thead>
      <tbody>
        {layers.map((l) => (
          <tr key={l.node} className={l.node === selected ? 'is-selected' : ''}>
            <th scope="row">
              {l.node} <span className="muted">{l.kind}</span>
            </th>
            <td>
              {l.weights ? (
                <HistogramBars
                  histogram={l.weights}
                  colour="var(--chart-train)"
                  label={`${l.node} weights`}
                />
              ) : (
                <span className="muted">–</span>
              )}
            </td>
            <td>
              {l.gradients ? (
                <HistogramBars
                  histogram={l.gradients}
                  colour="var(--chart-lr)"
                  label={`${l.node} gradients`}
                />
              ) : (
                <span className="muted">{l.weights ? 'after a step' : '–'}</span>
              )}
            </td>
            <td>
              {l.activations ? (
                <HistogramBars
                  histogram={l.activations}
                  colour="var(--chart-validation)"
                  label={`${l.node} activations`}
                />
              ) : (
                <span className="muted">–</span>
              )}
            </td>
            {anyBn && (
              <td>
                {l.runningMean && l.runningVar ? (
                  <span className="bn-stats">
                    <ChannelBars values={l.runningMean} label={`${l.node} running_mean`} />
                    <ChannelBars values={l.runningVar} label={`${l.node} running_var`} />
                  </span>
                ) : (
                  <span className="muted">–</span>
                )}
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
