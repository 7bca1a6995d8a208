// A small SVG line chart: several series over one x axis (epochs), nice round ticks, a legend, no library.

import { useEffect, useRef, useState } from 'react';

export interface Series {
  name: string;
  /** A CSS colour or variable. */
  colour: string;
  points: readonly (readonly [number, number])[];
  /** Draw a dot at each point (epoch values) instead of a plain line (per-step values). */
  dots?: boolean;
  faint?: boolean;
}

const PAD = { left: 44, right: 10, top: 8, bottom: 22 };

/** About `count` round tick values covering [lo, hi]. */
export function ticks(lo: number, hi: number, count = 4): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    out.push(Number(v.toPrecision(12)));
  return out;
}

const label = (v: number) => {
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return Number(v.toPrecision(2)).toExponential();
  return String(Number(v.toPrecision(3)));
};

function useWidth(): [React.RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(320);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setWidth(Math.max(160, Math.floor(el.clientWidth))));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

export function LineChart({
  title,
  series,
  height = 150,
  yMin,
  yMax,
  xMax,
  percent,
  testId,
}: {
  title: string;
  series: readonly Series[];
  height?: number;
  yMin?: number;
  yMax?: number;
  xMax?: number;
  /** Show y values as percentages (0-1 data). */
  percent?: boolean;
  testId?: string;
}) {
  const [box, width] = useWidth();
  const all = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const xs = all.map(([x]) => x);
  const ys = all.map(([, y]) => y);
  const x0 = 0;
  const x1 = Math.max(xMax ?? 0, ...xs, 1e-9);
  let y0 = yMin ?? Math.min(...ys, 0);
  let y1 = yMax ?? (ys.length ? Math.max(...ys, 1e-9) : 1);
  if (!(y1 > y0)) y1 = y0 + 1;
  if (!Number.isFinite(y0)) y0 = 0;
  const w = width - PAD.left - PAD.right;
  const h = height - PAD.top - PAD.bottom;
  const px = (x: number) => PAD.left + ((x - x0) / (x1 - x0)) * w;
  const py = (y: number) => PAD.top + h - ((y - y0) / (y1 - y0)) * h;
  const path = (points: Series['points']) =>
    points
      .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y))
      .map(([x, y], i) => `${i ? 'L' : 'M'}${px(x).toFixed(1)},${py(y).toFixed(1)}`)
      .join('');
  // Whole epochs only; the last one says what the axis counts.
  const xTicks = ticks(x0, x1, Math.min(6, Math.max(1, Math.ceil(x1)))).filter((v) => Number.isInteger(v));
  const lastTick = xTicks.at(-1);
  const first = series[0]?.points[0]?.[1];
  const last = series[0]?.points.at(-1)?.[1];

  return (
    <figure className="chart" ref={box} data-testid={testId}>
      <figcaption className="chart__head">
        <span className="chart__title">{title}</span>
        <span className="chart__legend">
          {series.map((s) => (
            <span key={s.name} className="chart__key">
              <span className="chart__swatch" style={{ background: s.colour }} />
              {s.name}
            </span>
          ))}
        </span>
      </figcaption>
      <svg
        width={width}
        height={height}
        role="img"
        aria-label={title}
        data-first={first ?? ''}
        data-last={last ?? ''}
        data-points={series[0]?.points.length ?? 0}
      >
        {ticks(y0, y1).map((v) => (
          <g key={`y${v}`}>
            <line className="chart__grid" x1={PAD.left} x2={width - PAD.right} y1={py(v)} y2={py(v)} />
            <text className="chart__tick" x={PAD.left - 6} y={py(v) + 4} textAnchor="end">
              {percent ? `${label(v * 100)}%` : label(v)}
            </text>
          </g>
        ))}
        {xTicks.map((v) => (
          <text
            key={`x${v}`}
            className="chart__tick"
            x={px(v)}
            y={height - 6}
            textAnchor={v === lastTick ? 'end' : v === 0 ? 'start' : 'middle'}
          >
            {v === lastTick ? `epoch ${label(v)}` : label(v)}
          </text>
        ))}
        {series.map((s) => (
          <g key={s.name} style={{ color: s.colour }} opacity={s.faint ? 0.55 : 1}>
            <path className="chart__line" d={path(s.points)} />
            {s.dots &&
              s.points.map(([x, y]) =>
                Number.isFinite(y) ? (
                  <circle key={x} className="chart__dot" cx={px(x)} cy={py(y)} r={3} />
                ) : null,
              )}
          </g>
        ))}
        {all.length === 0 && (
          <text className="chart__empty" x={PAD.left + w / 2} y={PAD.top + h / 2} textAnchor="middle">
            Start training to see this chart
          </text>
        )}
      </svg>
    </figure>
  );
}
