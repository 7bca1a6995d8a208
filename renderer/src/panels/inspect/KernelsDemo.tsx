// The chapter's classic kernels (SEED.md section 1): the chosen sample convolved with Sharpen, Blur and Edge
// Detect, each shown with its 3 x 3 weights, so weight sharing and feature maps have a concrete picture.

import { useMemo } from 'react';
import { planeImage, sampleImage } from '../../session/images.ts';
import { CLASSIC_KERNELS, convolve3x3 } from '../../session/inspect.ts';
import type { ImageBlock } from '../../worker/protocol.ts';
import { PixelImage } from '../common/PixelImage.tsx';

export function KernelsDemo({ sample }: { sample: ImageBlock }) {
  const [channels, height, width] = sample.shape;
  const results = useMemo(() => {
    const plane = new Float32Array(height * width);
    // The grey picture: the one channel, or the mean of the colour channels.
    for (let c = 0; c < channels; c++)
      for (let i = 0; i < plane.length; i++)
        plane[i]! += (sample.bytes?.[c * plane.length + i] ?? 0) / 255 / channels;
    return CLASSIC_KERNELS.map((k) => ({
      ...k,
      image: planeImage(convolve3x3(plane, height, width, k.weights), 0, height, width),
    }));
  }, [sample, channels, height, width]);
  const original = useMemo(() => sampleImage(sample, 0), [sample]);
  return (
    <div className="kernels-demo" data-testid="kernels-demo">
      <figure>
        <PixelImage image={original} size={84} label="the sample" />
        <figcaption>input</figcaption>
      </figure>
      {results.map((r) => (
        <figure key={r.name}>
          <PixelImage image={r.image} size={84} label={`${r.name} applied to the sample`} />
          <figcaption>
            {r.name}
            <code className="kernels-demo__weights">
              {[0, 1, 2]
                .map((row) =>
                  r.weights
                    .slice(row * 3, row * 3 + 3)
                    .map((w) => (Number.isInteger(w) ? w : w.toFixed(3).replace(/^0/, '')))
                    .join(' '),
                )
                .join('\n')}
            </code>
          </figcaption>
        </figure>
      ))}
    </div>
  );
}
