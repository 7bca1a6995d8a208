// Fits images to a [C,H,W]: grey <-> RGB conversion, then bilinear enlarging or area-averaging shrinking per axis.

import { sampleCount, sampleSize } from './dataset.ts';
import type { DataSet, ImageShape } from './types.ts';

/** For each output index along one axis: the input indices it reads and their weights (summing to 1). */
interface AxisWeights {
  index: Int32Array[];
  weight: Float32Array[];
}

const axisCache = new Map<string, AxisWeights>();

/**
 * Shrinking averages the input interval each output pixel covers (fractional overlaps weighted), as
 * F.interpolate(mode='area') does for whole factors. Enlarging is bilinear with half-pixel centres, as
 * F.interpolate(mode='bilinear', align_corners=False). Equal sizes copy.
 */
function axisWeights(inSize: number, outSize: number): AxisWeights {
  const key = `${inSize}>${outSize}`;
  const cached = axisCache.get(key);
  if (cached) return cached;
  const index: Int32Array[] = [];
  const weight: Float32Array[] = [];
  const scale = inSize / outSize;
  for (let j = 0; j < outSize; j++) {
    if (outSize < inSize) {
      const start = j * scale;
      const end = start + scale;
      const first = Math.floor(start);
      const last = Math.min(inSize, Math.ceil(end));
      const idx: number[] = [];
      const w: number[] = [];
      for (let i = first; i < last; i++) {
        idx.push(i);
        w.push((Math.min(end, i + 1) - Math.max(start, i)) / scale);
      }
      index.push(Int32Array.from(idx));
      weight.push(Float32Array.from(w));
    } else {
      const x = Math.min(inSize - 1, Math.max(0, (j + 0.5) * scale - 0.5));
      const i0 = Math.floor(x);
      const t = x - i0;
      index.push(Int32Array.of(i0, Math.min(i0 + 1, inSize - 1)));
      weight.push(Float32Array.of(1 - t, t));
    }
  }
  const result = { index, weight };
  axisCache.set(key, result);
  return result;
}

/** Resizes one H x W plane to `outHeight` x `outWidth` (rows first, then columns). */
export function resizePlane(
  source: ArrayLike<number>,
  height: number,
  width: number,
  outHeight: number,
  outWidth: number,
): Float32Array {
  const columns = axisWeights(width, outWidth);
  const rows = axisWeights(height, outHeight);
  const wide = new Float32Array(height * outWidth);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < outWidth; x++) {
      const idx = columns.index[x]!;
      const w = columns.weight[x]!;
      let sum = 0;
      for (let k = 0; k < idx.length; k++) sum += source[y * width + idx[k]!]! * w[k]!;
      wide[y * outWidth + x] = sum;
    }
  const out = new Float32Array(outHeight * outWidth);
  for (let y = 0; y < outHeight; y++) {
    const idx = rows.index[y]!;
    const w = rows.weight[y]!;
    for (let x = 0; x < outWidth; x++) {
      let sum = 0;
      for (let k = 0; k < idx.length; k++) sum += wide[idx[k]! * outWidth + x]! * w[k]!;
      out[y * outWidth + x] = sum;
    }
  }
  return out;
}

/**
 * Converts C x H x W bytes to `shape`: RGB to grey with PIL's luma (0.299 R + 0.587 G + 0.114 B), grey to RGB
 * by copying the plane, any other channel change by keeping the first channels (or repeating the last); then
 * each plane is resized. Returns C x H x W bytes, rounded.
 */
export function fitImage(
  planes: Uint8Array,
  channels: number,
  height: number,
  width: number,
  shape: ImageShape,
): Uint8Array {
  const [outChannels, outHeight, outWidth] = shape;
  const plane = height * width;
  const sources: ArrayLike<number>[] = [];
  if (outChannels === 1 && channels === 3) {
    const grey = new Float32Array(plane);
    for (let i = 0; i < plane; i++)
      grey[i] = (planes[i]! * 299 + planes[plane + i]! * 587 + planes[2 * plane + i]! * 114) / 1000;
    sources.push(grey);
  } else
    for (let c = 0; c < outChannels; c++) {
      const from = Math.min(c, channels - 1);
      sources.push(planes.subarray(from * plane, (from + 1) * plane));
    }
  const out = new Uint8Array(outChannels * outHeight * outWidth);
  const outPlane = outHeight * outWidth;
  for (let c = 0; c < outChannels; c++) {
    const source = sources[c]!;
    const resized =
      height === outHeight && width === outWidth
        ? source
        : resizePlane(source, height, width, outHeight, outWidth);
    for (let i = 0; i < outPlane; i++)
      out[c * outPlane + i] = Math.min(255, Math.max(0, Math.round(resized[i]!)));
  }
  return out;
}

/** A copy of the data set with every image fitted to `shape` (e.g. MNIST 1x28x28 to LeNet's 1x32x32). */
export function resizeDataSet(dataset: DataSet, shape: ImageShape): DataSet {
  const [channels, height, width] = dataset.shape;
  if (channels === shape[0] && height === shape[1] && width === shape[2]) return dataset;
  const n = sampleCount(dataset);
  const inSize = sampleSize(dataset.shape);
  const outSize = sampleSize(shape);
  const images = new Uint8Array(n * outSize);
  for (let s = 0; s < n; s++) {
    const planes = dataset.images.subarray(s * inSize, (s + 1) * inSize);
    images.set(fitImage(planes, channels, height, width, shape), s * outSize);
  }
  return { ...dataset, images, shape: [...shape] };
}
