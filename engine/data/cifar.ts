// Reads CIFAR-10 / CIFAR-100 binary batches, loose or inside their .tar.gz, with class names from the meta files.

import { DataSetBuilder } from './dataset.ts';
import { DataError } from './errors.ts';
import { countBytes, gunzipChunks, isGzip } from './gzip.ts';
import { ProgressTracker } from './progress.ts';
import { baseName, compareNames, concatBytes, type DataFile, readChunks, readHead } from './sources.ts';
import { TarReader, type TarSink } from './tar.ts';
import type { ImportOptions, ImportResult } from './types.ts';

const CIFAR10_CLASSES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];
const PIXELS = 3 * 32 * 32;

/** 1 label byte (CIFAR-10) or 2 (CIFAR-100: coarse, fine), by the batch's name or else its size. */
export function cifarLabelBytes(name: string, size?: number): 1 | 2 | undefined {
  const base = baseName(name);
  if (/^data_batch_\d+\.bin$|^test_batch\.bin$/.test(base)) return 1;
  if (/^(train|test)\.bin$/.test(base)) return 2;
  if (!base.endsWith('.bin') || !size) return undefined;
  if (size % (PIXELS + 1) === 0) return 1;
  if (size % (PIXELS + 2) === 0) return 2;
  return undefined;
}

export function isCifarArchive(name: string): boolean {
  return /\.(tar\.gz|tgz|tar)$/.test(baseName(name));
}

/** Shared state of one import: the builder, which CIFAR it is, the class-name files seen. */
interface Import {
  builder: DataSetBuilder;
  labelBytes: 1 | 2 | undefined;
  fine: boolean;
  names: Map<string, string>;
  skipped: DataError[];
}

/** Takes one batch's bytes as they stream past, cutting them into 3073- or 3074-byte records. */
class BatchSink implements TarSink {
  private readonly record: number;
  private readonly partial: Uint8Array;
  private filled = 0;
  private failed: DataError | undefined;
  private images = 0;

  constructor(
    private readonly state: Import,
    private readonly file: string,
    labelBytes: 1 | 2,
    size: number,
  ) {
    this.record = PIXELS + labelBytes;
    this.partial = new Uint8Array(this.record);
    if (state.labelBytes && state.labelBytes !== labelBytes)
      this.failed = new DataError(
        'unsupported',
        file,
        'this batch is from the other CIFAR (10 vs 100) than the first one; left out.',
      );
    else if (size % this.record !== 0)
      this.failed = new DataError(
        'truncated',
        file,
        `its size (${size} bytes) is not a whole number of ${this.record}-byte CIFAR images: it is cut short or not a CIFAR batch.`,
      );
    else state.labelBytes = labelBytes;
    state.builder.beginPart(baseName(file).replace(/\.bin$/, ''), [file]);
  }

  data(chunk: Uint8Array): void {
    if (this.failed) return;
    let at = 0;
    while (at < chunk.length) {
      if (this.filled === 0 && chunk.length - at >= this.record) {
        this.add(chunk.subarray(at, at + this.record));
        at += this.record;
      } else {
        const take = Math.min(this.record - this.filled, chunk.length - at);
        this.partial.set(chunk.subarray(at, at + take), this.filled);
        this.filled += take;
        at += take;
        if (this.filled === this.record) {
          this.filled = 0;
          this.add(this.partial);
        }
      }
      if (this.failed) return;
    }
  }

  private add(record: Uint8Array): void {
    const labelBytes = this.record - PIXELS;
    const label = record[labelBytes === 2 && this.state.fine ? 1 : 0]!;
    const classes = labelBytes === 1 ? 10 : this.state.fine ? 100 : 20;
    if (label >= classes) {
      this.failed = new DataError(
        'badLabel',
        this.file,
        `image ${this.images + 1} has label ${label}, but CIFAR-${labelBytes === 1 ? 10 : 100} labels run 0-${classes - 1}: this is not a CIFAR batch.`,
      );
      return;
    }
    this.state.builder.add(label, record.subarray(labelBytes));
    this.images++;
  }

  end(): void {
    if (!this.failed && this.filled > 0)
      this.failed = new DataError(
        'truncated',
        this.file,
        `the batch is cut short: it ends inside image ${this.images + 1}.`,
      );
    if (!this.failed && this.images === 0)
      this.failed = new DataError('empty', this.file, 'the batch holds no images.');
    if (this.failed) {
      this.state.builder.abandonPart();
      this.state.skipped.push(this.failed);
    } else this.state.builder.endPart();
  }
}

/** Collects a small text file (class names). */
function textSink(names: Map<string, string>, key: string): TarSink {
  const chunks: Uint8Array[] = [];
  return {
    data: (chunk) => chunks.push(chunk.slice()),
    end: () => names.set(key, new TextDecoder().decode(concatBytes(chunks))),
  };
}

const NAME_FILES = /^(batches\.meta|fine_label_names|coarse_label_names)\.txt$/;

export async function readCifar(files: DataFile[], options: ImportOptions = {}): Promise<ImportResult> {
  const state: Import = {
    builder: new DataSetBuilder([3, 32, 32], files[0]?.name ?? 'CIFAR', 10000),
    labelBytes: undefined,
    fine: options.cifar100Labels !== 'coarse',
    names: new Map(),
    skipped: [],
  };
  const progress = new ProgressTracker(
    options.onProgress,
    files.reduce((sum, f) => sum + f.size, 0),
  );
  const last = (file: DataFile) => (/test/.test(baseName(file.name)) ? 1 : 0);
  const ordered = [...files].sort((a, b) => last(a) - last(b) || compareNames(a.name, b.name));
  for (const file of ordered) {
    const base = baseName(file.name);
    const chunks = countBytes(readChunks(file), (n) => progress.advance(n, `Reading ${file.name}`));
    try {
      if (NAME_FILES.test(base)) {
        const sink = textSink(state.names, base);
        for await (const chunk of chunks) sink.data(chunk);
        sink.end();
      } else if (isCifarArchive(file.name)) await readArchive(file, chunks, state);
      else {
        const labelBytes = cifarLabelBytes(file.name, file.size);
        if (!labelBytes) {
          if (!/\.(txt|md|html)$|^\./.test(base))
            state.skipped.push(
              new DataError(
                'unknownFormat',
                file.name,
                'this is not a CIFAR batch (data_batch_N.bin, test_batch.bin, train.bin, test.bin); left out.',
              ),
            );
          continue;
        }
        const sink = new BatchSink(state, file.name, labelBytes, file.size);
        for await (const chunk of chunks) sink.data(chunk);
        sink.end();
      }
    } catch (error) {
      if (!(error instanceof DataError)) throw error;
      state.builder.abandonPart();
      state.skipped.push(error);
    }
  }
  if (state.builder.count === 0) {
    if (state.skipped.length === 1) throw state.skipped[0]!;
    const reasons = state.skipped.map((e) => e.message).join(' ');
    throw new DataError(
      'empty',
      files[0]?.name ?? '',
      `no CIFAR images could be read.${reasons ? ` ${reasons}` : ''}`,
    );
  }
  const dataset = state.builder.finish(
    'cifar',
    options.name ?? files[0]!.name,
    cifarClasses(state, options.classes),
  );
  progress.finish(`Read ${dataset.labels.length} images`);
  return { dataset, skipped: state.skipped };
}

async function readArchive(file: DataFile, chunks: AsyncIterable<Uint8Array>, state: Import): Promise<void> {
  const head = await readHead(file, 2);
  const data = isGzip(head) ? gunzipChunks(chunks, file.name) : chunks;
  let batches = 0;
  const tar = new TarReader((entry) => {
    const base = baseName(entry.name);
    const inner = `${file.name}: ${entry.name}`;
    if (NAME_FILES.test(base)) return textSink(state.names, base);
    const labelBytes = cifarLabelBytes(entry.name, entry.size);
    if (!labelBytes) return undefined;
    batches++;
    return new BatchSink(state, inner, labelBytes, entry.size);
  }, file.name);
  for await (const chunk of data) tar.push(chunk);
  tar.finish();
  if (batches === 0)
    throw new DataError(
      'empty',
      file.name,
      'the archive holds no CIFAR batches (data_batch_N.bin, test_batch.bin, train.bin or test.bin).',
    );
}

function cifarClasses(state: Import, given?: string[]): string[] {
  const lines = (key: string) =>
    (state.names.get(key) ?? '')
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter(Boolean);
  let names: string[];
  if (state.labelBytes === 2) {
    names = lines(state.fine ? 'fine_label_names.txt' : 'coarse_label_names.txt');
    const count = state.fine ? 100 : 20;
    for (let i = names.length; i < count; i++) names.push(String(i));
    names = names.slice(0, count);
  } else {
    const meta = lines('batches.meta.txt');
    names = meta.length >= 10 ? meta.slice(0, 10) : CIFAR10_CLASSES.slice();
  }
  if (given) names.splice(0, given.length, ...given);
  return names;
}
