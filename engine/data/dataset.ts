// Building, slicing and measuring in-memory data sets (the DataSet form in types.ts).

import { DataError } from './errors.ts';
import type { DataPart, DataSet, DataSetSource, DataSourceKind, ImageShape } from './types.ts';

/** Largest image buffer one data set may hold (JavaScript typed arrays stop a little above this). */
const MAX_IMAGE_BYTES = 2 ** 32 - 1;

export function sampleSize(shape: ImageShape): number {
  return shape[0] * shape[1] * shape[2];
}

export function sampleCount(dataset: DataSet): number {
  return dataset.labels.length;
}

/** Collects samples one at a time or in blocks, growing its buffers, with named parts and rollback. */
export class DataSetBuilder {
  images: Uint8Array;
  labels: Int32Array;
  count = 0;
  readonly size: number;
  readonly parts: DataPart[] = [];

  constructor(
    readonly shape: ImageShape,
    readonly origin: string,
    reserve = 256,
  ) {
    this.size = sampleSize(shape);
    this.images = new Uint8Array(this.size * reserve);
    this.labels = new Int32Array(reserve);
  }

  /** Makes room for `more` samples past the current count. */
  reserve(more: number): void {
    const needed = this.count + more;
    if (needed <= this.labels.length) return;
    const capacity = Math.max(needed, Math.ceil(this.labels.length * 1.5));
    if (capacity * this.size > MAX_IMAGE_BYTES)
      throw new DataError(
        'tooLarge',
        this.origin,
        `the data set would need more than 4 GB of image memory (${needed} images of ${this.shape.join('x')}).`,
      );
    const images = new Uint8Array(capacity * this.size);
    images.set(this.images.subarray(0, this.count * this.size));
    const labels = new Int32Array(capacity);
    labels.set(this.labels.subarray(0, this.count));
    this.images = images;
    this.labels = labels;
  }

  /** Adds one sample; `pixels` is C x H x W. */
  add(label: number, pixels: ArrayLike<number>): void {
    this.reserve(1);
    this.images.set(pixels, this.count * this.size);
    this.labels[this.count++] = label;
  }

  /** Adds a block of samples: `images` is count x C x H x W. */
  addMany(labels: ArrayLike<number>, images: Uint8Array): void {
    this.reserve(labels.length);
    this.images.set(images.subarray(0, labels.length * this.size), this.count * this.size);
    this.labels.set(labels, this.count);
    this.count += labels.length;
  }

  /** Opens a named part; samples added until the next part or `finish` belong to it. */
  beginPart(name: string, files: string[]): void {
    this.closePart();
    this.parts.push({ name, start: this.count, count: -1, files });
  }

  /** Drops the open part and its samples (a file that failed half-way). */
  abandonPart(): void {
    const part = this.parts[this.parts.length - 1];
    if (!part || part.count >= 0) return;
    this.count = part.start;
    this.parts.pop();
  }

  /** Closes the open part, keeping its samples. */
  endPart(): void {
    this.closePart();
  }

  private closePart(): void {
    const part = this.parts[this.parts.length - 1];
    if (part && part.count < 0) part.count = this.count - part.start;
  }

  finish(kind: DataSourceKind, name: string, classes: string[]): DataSet {
    this.closePart();
    const parts = this.parts.filter((part) => part.count > 0);
    const source: DataSetSource = { kind, name, files: parts.flatMap((part) => part.files), parts };
    // NOTE: a builder filled exactly to capacity hands over its buffers (no copy); keep no reference after this.
    const full = this.count === this.labels.length;
    return {
      images: full ? this.images : this.images.slice(0, this.count * this.size),
      labels: full ? this.labels : this.labels.slice(0, this.count),
      shape: [...this.shape],
      classes,
      source,
    };
  }
}

/** Copies the samples at `indices` into one N x C x H x W block (a batch, before augmentation). */
export function gatherImages(dataset: DataSet, indices: ArrayLike<number>, out?: Uint8Array): Uint8Array {
  const size = sampleSize(dataset.shape);
  const images = out ?? new Uint8Array(indices.length * size);
  for (let i = 0; i < indices.length; i++) {
    const at = indices[i]! * size;
    images.set(dataset.images.subarray(at, at + size), i * size);
  }
  return images;
}

export function gatherLabels(dataset: DataSet, indices: ArrayLike<number>): Int32Array {
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) labels[i] = dataset.labels[indices[i]!]!;
  return labels;
}

/** Samples per class, indexed like `classes`. */
export function classCounts(dataset: DataSet): number[] {
  const counts = new Array<number>(dataset.classes.length).fill(0);
  for (const label of dataset.labels) counts[label] = (counts[label] ?? 0) + 1;
  return counts;
}

/**
 * Per-channel mean and (population) standard deviation of the pixels scaled to 0-1, over the whole set: the
 * numbers `transforms.Normalize(mean, std)` would be given.
 */
export function channelStats(dataset: DataSet): { mean: number[]; std: number[] } {
  const [channels, height, width] = dataset.shape;
  const plane = height * width;
  const n = sampleCount(dataset);
  const sum = new Float64Array(channels);
  const squares = new Float64Array(channels);
  for (let s = 0; s < n; s++)
    for (let c = 0; c < channels; c++) {
      const at = (s * channels + c) * plane;
      let a = 0;
      let b = 0;
      for (let i = 0; i < plane; i++) {
        const v = dataset.images[at + i]!;
        a += v;
        b += v * v;
      }
      sum[c]! += a;
      squares[c]! += b;
    }
  const count = n * plane;
  const mean = [...sum].map((total) => total / count / 255);
  const std = [...squares].map((total, c) => Math.sqrt(Math.max(0, total / count / 65025 - mean[c]! ** 2)));
  return { mean, std };
}
