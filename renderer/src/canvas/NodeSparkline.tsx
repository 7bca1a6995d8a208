// A node's tiny live trace while a network trains: the spread (std) of its output for one sample, sampled every
// few steps by the engine worker. Small and still: a line, no axes, shown once there are two points.

import { useSession } from '../session/store.ts';

const WIDTH = 44;
const HEIGHT = 12;

/** The polyline's points for `values`, scaled to the box (a flat series is drawn in the middle). */
export function sparklinePoints(values: readonly number[], width = WIDTH, height = HEIGHT): string {
  const low = Math.min(...values);
  const high = Math.max(...values);
  const span = high - low;
  return values
    .map((v, i) => {
      const x = values.length > 1 ? (i / (values.length - 1)) * width : width / 2;
      const y = span > 0 ? height - 1 - ((v - low) / span) * (height - 2) : height / 2;
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
}

export function NodeSparkline({ node }: { node: string }) {
  const values = useSession((s) => s.run.trace?.activations[node]);
  if (!values || values.length < 2) return null;
  const latest = values[values.length - 1]!;
  return (
    <svg
      className="node-sparkline"
      width={WIDTH}
      height={HEIGHT}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      data-testid={`sparkline-${node}`}
      data-points={values.length}
      role="img"
      aria-label={`activation spread while training, now ${latest.toPrecision(3)}`}
    >
      <title>{`Activation spread (std of the output for one sample) over the last ${values.length} samples; now ${latest.toPrecision(3)}`}</title>
      <polyline points={sparklinePoints(values)} />
    </svg>
  );
}
