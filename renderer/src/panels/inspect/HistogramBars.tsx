// A histogram as a small SVG bar strip with its range and mean, for weights, gradients and activations.

import type { Histogram } from '../../worker/protocol.ts';

/**
 * One SVG path of bars for `values` in -1..1 (fractions of the height): from the bottom when `signed` is false,
 * from the middle line up or down when it is true.
 */
export function barsPath(values: readonly number[], width: number, height: number, signed = false): string {
  const bar = width / Math.max(1, values.length);
  const w = Math.max(1, bar - 0.5).toFixed(2);
  return values
    .map((v, i) => {
      const h = signed ? (Math.abs(v) * height) / 2 : v * height;
      if (!(h > 0)) return '';
      const top = signed ? (v >= 0 ? height / 2 - h : height / 2) : height - h;
      return `M${(i * bar).toFixed(2)} ${top.toFixed(2)}h${w}v${h.toFixed(2)}h-${w}Z`;
    })
    .join('');
}

const fmt = (v: number) =>
  Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(1) : v.toPrecision(3);

export function HistogramBars({
  histogram,
  colour,
  label,
}: {
  histogram: Histogram;
  colour: string;
  label: string;
}) {
  const most = Math.max(1, ...histogram.counts);
  const width = 120;
  const height = 28;
  return (
    <span
      className="histogram"
      title={`${label}: min ${fmt(histogram.min)}, max ${fmt(histogram.max)}, mean ${fmt(histogram.mean)}, std ${fmt(histogram.std)}`}
    >
      <svg width={width} height={height} role="img" aria-label={label}>
        <path
          d={barsPath(
            histogram.counts.map((c) => (c ? Math.max(1 / height, c / most) : 0)),
            width,
            height,
          )}
          fill={colour}
        />
      </svg>
      <span className="histogram__range">
        {fmt(histogram.min)} … {fmt(histogram.max)}
      </span>
    </span>
  );
}
