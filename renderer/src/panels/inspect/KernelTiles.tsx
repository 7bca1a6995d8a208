// A convolution's kernels as small tiles: one row per output channel, one tile per input channel, all on one
// shared scale so strong and weak kernels can be compared.

import { useMemo } from 'react';
import { extent, planeImage } from '../../session/images.ts';
import type { TensorView } from '../../worker/protocol.ts';
import { PixelImage } from '../common/PixelImage.tsx';
import { ColourScale } from './ChannelGrid.tsx';

const MAX_OUT = 32;
const MAX_IN = 8;

export function KernelTiles({ kernels }: { kernels: TensorView }) {
  const [out, inputs, kh, kw] = kernels.shape as [number, number, number, number];
  const range = useMemo(() => extent(kernels.data), [kernels]);
  const rows = useMemo(
    () =>
      Array.from({ length: Math.min(out, MAX_OUT) }, (_, o) => ({
        id: `out${o}`,
        title: `output channel ${o}`,
        tiles: Array.from({ length: Math.min(inputs, MAX_IN) }, (_, i) => ({
          id: `out${o}-in${i}`,
          label: `kernel ${o}, input ${i}`,
          image: planeImage(kernels.data, (o * inputs + i) * kh * kw, kh, kw, range),
        })),
      })),
    [kernels, out, inputs, kh, kw, range],
  );
  return (
    <div className="kernels" data-testid="kernel-tiles">
      <div className="kernels__rows">
        {rows.map((row) => (
          <div key={row.id} className="kernels__row" title={row.title}>
            {row.tiles.map((t) => (
              <PixelImage key={t.id} image={t.image} size={Math.max(24, kw * 8)} label={t.label} />
            ))}
          </div>
        ))}
      </div>
      <ColourScale
        lo={range[0]}
        hi={range[1]}
        note={`${kernels.name}: ${out} x ${inputs} kernels of ${kh} x ${kw}${out > MAX_OUT || inputs > MAX_IN ? ' (first ones shown)' : ''}`}
      />
    </div>
  );
}
