// Data calls in the worker: the built-in digits, imports of dropped or picked files with progress, fitting the
// images to the network's Input, and sample images (plain or augmented) for the previews.

import { augmentBatchWithKey } from '../../../engine/data/augment.ts';
import { decodeBuiltinMnist } from '../../../engine/data/builtin.ts';
import { classCounts, gatherImages, gatherLabels } from '../../../engine/data/dataset.ts';
import { importDataSet } from '../../../engine/data/formats.ts';
import { resizeDataSet } from '../../../engine/data/resize.ts';
import type { DataFile } from '../../../engine/data/sources.ts';
import type { DataSet } from '../../../engine/data/types.ts';
import type { CallContext, Handler } from './host.ts';
import type { DataSummary, ImageBlock, ImportFile } from './protocol.ts';
import type { EngineSession } from './session.ts';

export const BUILTIN_NAME = 'MNIST digits (built in)';

/** Up to `per` samples of each class (the first ones), at most `limit` in all, in class order. */
export function previewIndices(data: DataSet, limit = 30): number[] {
  const classes = Math.max(1, data.classes.length);
  const per = Math.max(1, Math.floor(limit / classes));
  const taken = new Array<number[]>(classes).fill([]).map(() => [] as number[]);
  for (let i = 0; i < data.labels.length; i++) {
    const list = taken[data.labels[i]!];
    if (list && list.length < per) list.push(i);
  }
  return taken.flat().slice(0, limit);
}

export function summarize(session: EngineSession): DataSummary {
  const data = session.requireData();
  return {
    name: data.source.kind === 'builtin' ? BUILTIN_NAME : data.source.name,
    kind: data.source.kind,
    count: data.labels.length,
    shape: [...data.shape],
    classes: [...data.classes],
    classCounts: classCounts(data),
    originalShape: [...(session.original ?? data).shape],
    skipped: [...session.skipped],
    preview: previewIndices(data),
  };
}

function dataFile(file: ImportFile): DataFile {
  const blob = file.file;
  if (blob)
    return {
      name: file.path,
      size: blob.size,
      bytes: async () => new Uint8Array(await blob.arrayBuffer()),
      stream: () => blob.stream() as ReadableStream<Uint8Array>,
    };
  const bytes = new Uint8Array(file.bytes ?? new ArrayBuffer(0));
  return { name: file.path, size: bytes.length, bytes: async () => bytes };
}

/** Valid sample indices among `indices` (the grid may ask past the end of a small set). */
function within(data: DataSet, indices: number[]): number[] {
  return indices.filter((i) => Number.isInteger(i) && i >= 0 && i < data.labels.length);
}

function block(data: DataSet, indices: number[], images: { bytes?: Uint8Array; floats?: Float32Array }) {
  return {
    shape: [...data.shape],
    count: indices.length,
    ...images,
    labels: Array.from(gatherLabels(data, indices)),
    indices,
  } satisfies ImageBlock;
}

async function importFiles(
  files: ImportFile[],
  name: string,
  context: CallContext,
): Promise<{ dataset: DataSet; skipped: string[] }> {
  if (files.length === 0) throw new Error('Nothing was dropped: drop a data file, an archive or a folder.');
  context.progress(0, `Reading ${files.length === 1 ? files[0]!.path : `${files.length} files`}`);
  const result = await importDataSet(files.map(dataFile), {
    name,
    onProgress: (fraction, message) => {
      context.checkCancelled();
      context.progress(fraction, message);
    },
  });
  context.checkCancelled();
  return {
    dataset: result.dataset,
    skipped: result.skipped.map((e) => e.message),
  };
}

export const dataHandlers: {
  'data.builtin': Handler<'data.builtin'>;
  'data.import': Handler<'data.import'>;
  'data.fit': Handler<'data.fit'>;
  'data.samples': Handler<'data.samples'>;
  'data.augment': Handler<'data.augment'>;
} = {
  async 'data.builtin'(_args, { session, progress }) {
    progress(0, 'Loading the built-in MNIST digits');
    session.setData(decodeBuiltinMnist(await session.environment.builtinMnist()));
    progress(1, 'Loaded');
    return summarize(session);
  },

  async 'data.import'({ files, name }, context) {
    if (context.session.control) throw new Error('Stop the training run before loading other data.');
    const { dataset, skipped } = await importFiles(files, name, context);
    if (dataset.labels.length === 0) throw new Error(`${name} holds no images that could be read.`);
    context.session.setData(dataset, skipped);
    return summarize(context.session);
  },

  async 'data.fit'({ shape }, { session, progress }) {
    if (session.control) throw new Error('Stop the training run before changing the data.');
    const original = session.original;
    if (!original) throw new Error('No data is loaded yet.');
    progress(0, `Fitting ${original.labels.length} images to ${shape.join(' x ')}`);
    session.dataset = resizeDataSet(original, shape);
    progress(1, 'Done');
    return summarize(session);
  },

  async 'data.samples'({ indices }, { session }) {
    const data = session.requireData();
    const valid = within(data, indices);
    return block(data, valid, { bytes: gatherImages(data, valid) });
  },

  async 'data.augment'({ indices, options, key }, { session }) {
    const data = session.requireData();
    const valid = within(data, indices);
    const floats = augmentBatchWithKey(gatherImages(data, valid), data.shape, options, key >>> 0);
    return block(data, valid, { floats });
  },
};
