// The shapes every reader shares: the in-memory data set, where it came from, import options and results.

import type { DataError } from './errors.ts';
import type { ProgressCallback } from './progress.ts';
import type { DataFile } from './sources.ts';

/** The readers there are, plus the data set embedded in the app. */
export type DataFormat = 'idx' | 'cifar' | 'image-folder' | 'numpy' | 'csv';
export type DataSourceKind = DataFormat | 'builtin';

/** [channels, height, width], as the graph's Input node states it. */
export type ImageShape = [number, number, number];

/** A named run of samples from one file pair or batch, e.g. `train` and `t10k` of MNIST. */
export interface DataPart {
  name: string;
  start: number;
  count: number;
  files: string[];
}

export interface DataSetSource {
  kind: DataSourceKind;
  /** What the user would call it: the folder, archive or first file name. */
  name: string;
  /** Every file whose samples made it into the set. */
  files: string[];
  /** Samples in file order; a later option can train on one part and hold out another. */
  parts: DataPart[];
}

/**
 * A labelled image set in memory. `images` holds N x C x H x W bytes (0-255, row-major, channel planes);
 * `labels[i]` indexes `classes`.
 */
export interface DataSet {
  images: Uint8Array;
  labels: Int32Array;
  shape: ImageShape;
  classes: string[];
  source: DataSetSource;
}

export interface ImportOptions {
  /** What to call the data set: the folder or archive the user picked (default: from the file names). */
  name?: string;
  /**
   * The [C,H,W] the graph's Input asks for. Image folders are converted and resized to it; flat CSV/NumPy rows
   * are cut to it. Other formats keep their own shape (see `resizeDataSet`).
   */
  shape?: ImageShape;
  /** Class names that override the ones the files carry. */
  classes?: string[];
  /** CIFAR-100 only: train on the 100 fine labels (default) or the 20 coarse ones. */
  cifar100Labels?: 'fine' | 'coarse';
  onProgress?: ProgressCallback;
}

/** What an import produced, and the files it left out, each with the reason. */
export interface ImportResult {
  dataset: DataSet;
  skipped: DataError[];
}

/** One format's reader: it gets every file of the import (companions such as class-name lists included). */
export type ReadData = (files: DataFile[], options: ImportOptions) => Promise<ImportResult>;
