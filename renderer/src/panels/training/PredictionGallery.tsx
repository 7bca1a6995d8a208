// Validation samples with the network's guess after the latest epoch, mistakes first (most confident first).

import type { Gallery } from '../../worker/protocol.ts';
import { SampleGrid, type TileNote } from '../common/SampleGrid.tsx';

export function PredictionGallery({ gallery, classes }: { gallery: Gallery; classes: readonly string[] }) {
  const name = (i: number) => classes[i] ?? String(i);
  const notes: TileNote[] = gallery.predictions.map((p) => ({
    text: p.predicted === p.label ? name(p.predicted) : `${name(p.predicted)} ≠ ${name(p.label)}`,
    wrong: p.predicted !== p.label,
    title: `#${p.index}: true ${name(p.label)}, predicted ${name(p.predicted)} (${(p.confidence * 100).toFixed(0)}% sure)`,
  }));
  return (
    <figure className="predictions" data-testid="predictions">
      <figcaption className="chart__title">
        Validation samples after epoch {gallery.epoch}: {gallery.wrong} of {gallery.looked} wrong, mistakes
        first (shown as predicted ≠ true)
      </figcaption>
      <SampleGrid block={gallery.images} classes={classes} size={36} notes={notes} />
    </figure>
  );
}
