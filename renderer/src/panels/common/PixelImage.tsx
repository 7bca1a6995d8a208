// A small image drawn pixel for pixel on a canvas and scaled up without blurring (samples, feature maps, kernels).

import { useEffect, useRef } from 'react';

export function PixelImage({
  image,
  size,
  height,
  label,
  className,
}: {
  image: ImageData;
  /** Displayed width in CSS pixels (height follows the aspect ratio unless given). */
  size: number;
  height?: number;
  label?: string;
  className?: string;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    c.width = image.width;
    c.height = image.height;
    c.getContext('2d')?.putImageData(image, 0, 0);
  }, [image]);
  return (
    <canvas
      ref={canvas}
      className={`pixel-image${className ? ` ${className}` : ''}`}
      style={{ width: size, height: height ?? Math.round((size * image.height) / Math.max(1, image.width)) }}
      role="img"
      aria-label={label}
    />
  );
}
