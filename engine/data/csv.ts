// Reads CSV images: one row per image, a label column (label/class/y/target, else the first) and pixel columns.

import { DataSetBuilder } from './dataset.ts';
import { DataError } from './errors.ts';
import { countBytes, maybeGunzip } from './gzip.ts';
import { flatShape, pixelScale, toByte } from './pixels.ts';
import { ProgressTracker } from './progress.ts';
import { baseName, compareNames, type DataFile, readChunks } from './sources.ts';
import type { ImageShape, ImportOptions, ImportResult } from './types.ts';

const LABEL_NAMES = new Set(['label', 'labels', 'class', 'y', 'target']);

/** One file's rows: raw label texts and pixel values (still in the file's own range). */
interface Table {
  file: string;
  labels: string[];
  pixels: Float32Array;
  width: number;
}

function unquote(cell: string): string {
  const text = cell.trim();
  return text.length >= 2 && text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1).trim() : text;
}

/** Splits streamed text into lines, carrying a partial last line over to the next chunk. */
async function* lines(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let rest = '';
  for await (const chunk of chunks) {
    const text = rest + decoder.decode(chunk, { stream: true });
    const parts = text.split('\n');
    rest = parts.pop() ?? '';
    yield* parts;
  }
  rest += decoder.decode();
  if (rest) yield rest;
}

/**
 * Reads one CSV file. NOTE: cells are split on the delimiter without quote handling beyond trimming quotes
 * off each cell, enough for number tables; a quoted cell holding the delimiter would split wrongly.
 */
async function readTable(chunks: AsyncIterable<Uint8Array>, file: string): Promise<Table> {
  let delimiter = ',';
  let separator = 44;
  let labelColumn = 0;
  let header: string[] | undefined;
  let width = -1;
  let pixels = new Float32Array(0);
  let filled = 0;
  const labels: string[] = [];
  let row = 0;
  for await (const line of lines(chunks)) {
    row++;
    const text = line.trim();
    if (!text) continue;
    if (width < 0) {
      delimiter = text.includes(',') ? ',' : text.includes(';') ? ';' : '\t';
      const cells = text.split(delimiter);
      width = cells.length;
      separator = delimiter.charCodeAt(0);
      if (cells.some((cell) => Number.isNaN(Number(unquote(cell))))) {
        header = cells.map(unquote);
        const named = header.findIndex((cell) => LABEL_NAMES.has(cell.toLowerCase()));
        labelColumn = Math.max(0, named);
        continue;
      }
    }
    if (filled + width - 1 > pixels.length) {
      const grown = new Float32Array(Math.max(1024 * (width - 1), pixels.length * 2));
      grown.set(pixels.subarray(0, filled));
      pixels = grown;
    }
    // NOTE: cells are scanned by character code with a fast path for plain whole numbers (most pixel tables);
    // anything else goes through Number(). Splitting every row into strings was three times slower.
    let column = 0;
    let cellStart = 0;
    const ragged = (count: number) =>
      new DataError('damaged', file, `row ${row} has ${count} values, but the first row has ${width}.`);
    for (let i = 0; i <= text.length; i++) {
      const code = i < text.length ? text.charCodeAt(i) : separator;
      if (code !== separator) continue;
      if (column >= width) throw ragged(text.split(delimiter).length);
      if (column === labelColumn) labels.push(unquote(text.slice(cellStart, i)));
      else {
        let value = 0;
        let plain = i > cellStart;
        for (let k = cellStart; k < i && plain; k++) {
          const digit = text.charCodeAt(k) - 48;
          if (digit < 0 || digit > 9) plain = false;
          else value = value * 10 + digit;
        }
        if (!plain) {
          const cell = unquote(text.slice(cellStart, i));
          value = cell === '' ? Number.NaN : Number(cell);
          if (!Number.isFinite(value)) {
            const name = header ? `column "${header[column]}"` : `column ${column + 1}`;
            throw new DataError('badNumber', file, `row ${row}, ${name}: "${cell}" is not a number.`);
          }
        }
        pixels[filled++] = value;
      }
      column++;
      cellStart = i + 1;
    }
    if (column !== width) throw ragged(column);
  }
  if (labels.length === 0) throw new DataError('empty', file, 'the file holds no rows of pixels.');
  if (width < 2)
    throw new DataError(
      'badShape',
      file,
      'each row needs a label and pixel values, but rows have one value.',
    );
  return { file, labels, pixels: pixels.subarray(0, filled), width: width - 1 };
}

export async function readCsv(files: DataFile[], options: ImportOptions = {}): Promise<ImportResult> {
  const skipped: DataError[] = [];
  const progress = new ProgressTracker(
    options.onProgress,
    files.reduce((sum, f) => sum + f.size, 0),
  );
  const tables: Table[] = [];
  const last = (file: DataFile) => (/test|val/.test(baseName(file.name)) ? 1 : 0);
  for (const file of [...files].sort((a, b) => last(a) - last(b) || compareNames(a.name, b.name))) {
    if (!/\.csv(\.gz)?$/.test(baseName(file.name))) {
      if (!/\.(txt|md)$|^\./.test(baseName(file.name)))
        skipped.push(new DataError('unknownFormat', file.name, 'this is not a CSV file; left out.'));
      continue;
    }
    try {
      const chunks = countBytes(readChunks(file), (n) => progress.advance(n, `Reading ${file.name}`));
      const table = await readTable(maybeGunzip(chunks, file.name), file.name);
      if (tables[0] && table.width !== tables[0].width)
        throw new DataError(
          'badShape',
          file.name,
          `its rows have ${table.width} pixels, unlike the ${tables[0].width} of ${tables[0].file}.`,
        );
      tables.push(table);
    } catch (error) {
      if (!(error instanceof DataError)) throw error;
      skipped.push(error);
    }
  }
  if (tables.length === 0) {
    if (skipped.length === 1) throw skipped[0]!;
    throw new DataError(
      'empty',
      files[0]?.name ?? '',
      `no CSV rows could be read. ${skipped.map((e) => e.message).join(' ')}`,
    );
  }
  const shape: ImageShape = flatShape(tables[0]!.width, tables[0]!.file, options.shape);
  const { classes, index } = labelScheme(tables, options.classes);
  const builder = new DataSetBuilder(
    shape,
    tables[0]!.file,
    tables.reduce((sum, t) => sum + t.labels.length, 0),
  );
  for (const table of tables) {
    const scale = pixelScale(table.pixels, table.file);
    const bytes = new Uint8Array(table.pixels.length);
    for (let i = 0; i < bytes.length; i++) bytes[i] = toByte(table.pixels[i]!, scale);
    builder.beginPart(baseName(table.file).replace(/\.csv(\.gz)?$/, ''), [table.file]);
    builder.addMany(table.labels.map(index), bytes);
  }
  const dataset = builder.finish('csv', options.name ?? tables[0]!.file, classes);
  progress.finish(`Read ${dataset.labels.length} images`);
  return { dataset, skipped };
}

/** Whole-number labels are class numbers; any other label text makes every distinct text a class, sorted. */
function labelScheme(
  tables: Table[],
  given?: string[],
): { classes: string[]; index: (label: string) => number } {
  const texts = new Set<string>();
  for (const table of tables) for (const label of table.labels) texts.add(label);
  const numeric = [...texts].every((text) => /^\d+$/.test(text) || /^\d+\.0*$/.test(text));
  if (numeric) {
    const max = Math.max(...[...texts].map(Number));
    const classes = Array.from({ length: max + 1 }, (_, i) => given?.[i] ?? String(i));
    return { classes, index: (label) => Number(label) };
  }
  const classes = [...texts].sort(compareNames);
  const lookup = new Map(classes.map((name, i) => [name, i]));
  return { classes, index: (label) => lookup.get(label)! };
}
