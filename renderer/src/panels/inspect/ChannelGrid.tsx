// A node's output for one sample as images: one tile per channel (each scaled to its own range for contrast,
// through the colour scale), or a strip for a vector output.

import { useMemo } from 'react';
import { extent, planeImage, VIRIDIS_CSS } from '../../session/images.ts';
import type { TensorView } from '../../worker/protocol.ts';
import { PixelImage } from '../common/PixelImage.tsx';

const MAX_CHANNELS = 64;

export function ColourScale({ lo, hi, note }: { lo: number; hi: number; note?: string }) {
  return (
    <div className="colour-scale" title={note}>
      <span>{lo.toPrecision(3)}</span>
      <span className="colour-scale__bar" style={{ background: VIRIDIS_CSS }} />
      <span>{hi.toPrecision(3)}</span>
      {note && <span className="muted">{note}</span>}
    </div>
  );
}

export function ChannelGrid({ output }: { output: TensorView }) {
  const { shape, data } = output;
  const spatial = shape.length === 3;
  const [channels, height, width] = spatial ? (shape as [number, number, number]) : [1, 1, data.length];
  const tiles = useMemo(() => {
    const count = Math.min(channels, MAX_CHANNELS);
    return Array.from({ length: count }, (_, c) => planeImage(data, c * height * width, height, width));
  }, [data, channels, height, width]);
  const [lo, hi] = useMemo(() => extent(data), [data]);
  const size = spatial ? Math.max(48, Math.min(96, Math.round(1400 / Math.max(8, channels)))) : 0;

  if (!spatial)
    return (
      <div className="feature-vector" data-testid="feature-maps">
        <PixelImage
          image={tiles[0]!}
          size={Math.min(720, Math.max(240, width * 6))}
          label={`${width} values`}
          height={20}
        />
        <ColourScale lo={lo} hi={hi} note={`${width} values, scaled together`} />
      </div>
    );
  return (
    <div data-testid="feature-maps" data-channels={channels}>
      <ul className="channels">
        {tiles.map((image, c) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: channels are fixed by index
          <li key={c} className="channels__tile" title={`channel ${c}`}>
            <PixelImage image={image} size={size} label={`channel ${c}`} />
            <span className="channels__label">{c}</span>
          </li>
        ))}
      </ul>
      <ColourScale
        lo={lo}
        hi={hi}
        note={`${channels} channels of ${height} x ${width}, each scaled to its own range`}
      />
      {channels > MAX_CHANNELS && (
        <p className="muted">
          The first {MAX_CHANNELS} of {channels} channels.
        </p>
      )}
    </div>
  );
}
