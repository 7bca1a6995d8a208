// A grid of data set samples, each with its class (and, for predictions, what the network said).

import { useMemo } from 'react';
import { sampleImage } from '../../session/images.ts';
import type { ImageBlock } from '../../worker/protocol.ts';
import { PixelImage } from './PixelImage.tsx';

export interface TileNote {
  text: string;
  /** Marks a wrong prediction. */
  wrong?: boolean;
  title?: string;
}

export function SampleGrid({
  block,
  classes,
  size = 48,
  notes,
  testId,
  onPick,
}: {
  block: ImageBlock;
  classes: readonly string[];
  size?: number;
  /** A line under each tile instead of its class name. */
  notes?: readonly TileNote[];
  testId?: string;
  onPick?: (index: number) => void;
}) {
  const tiles = useMemo(
    () =>
      Array.from({ length: block.count }, (_, n) => {
        const name = classes[block.labels[n]!] ?? String(block.labels[n]);
        const note = notes?.[n];
        return {
          index: block.indices[n]!,
          image: sampleImage(block, n),
          name,
          text: note?.text ?? name,
          wrong: note?.wrong === true,
          title: note?.title ?? `#${block.indices[n]}: ${name}`,
        };
      }),
    [block, classes, notes],
  );
  return (
    <ul className="samples" data-testid={testId}>
      {tiles.map((t) => {
        const tile = (
          <>
            <PixelImage image={t.image} size={size} label={`sample ${t.index}, class ${t.name}`} />
            <span className={`samples__label${t.wrong ? ' is-wrong' : ''}`}>{t.text}</span>
          </>
        );
        return (
          <li key={t.index} className="samples__tile" title={t.title} style={{ width: size }}>
            {onPick ? (
              <button type="button" className="samples__pick" onClick={() => onPick(t.index)}>
                {tile}
              </button>
            ) : (
              tile
            )}
          </li>
        );
      })}
    </ul>
  );
}
