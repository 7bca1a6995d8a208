// Reads image folders (one subfolder per class, PNG and JPEG), loose or inside .zip archives, fitted to [C,H,W].

import { DataSetBuilder } from './dataset.ts';
import { DataError } from './errors.ts';
import { decodeImage } from './image-decode.ts';
import { ProgressTracker } from './progress.ts';
import { fitImage } from './resize.ts';
import { baseName, compareNames, type DataFile } from './sources.ts';
import type { ImageShape, ImportOptions, ImportResult } from './types.ts';
import { zipEntries } from './zip.ts';

const IMAGE_NAME = /\.(png|jpe?g)$/;
/** Files every file manager leaves behind; ignored without a word. */
const LITTER = /^\.|^(thumbs\.db|desktop\.ini)$/;

export function isImageName(name: string): boolean {
  return IMAGE_NAME.test(baseName(name));
}

/** One candidate image: where it sits for class purposes, and the name errors use. */
interface Item {
  file: DataFile;
  /** Path below the import (for a zip entry, below the archive). */
  path: string;
  /** `cat/1.png`, or `pets.zip: cat/1.png` for an archive entry. */
  display: string;
}

/** Every file of the import, with .zip archives opened in place (their entries sit at the archive's level). */
async function expandArchives(files: DataFile[], skipped: DataError[]): Promise<Item[]> {
  const out: Item[] = [];
  for (const file of files) {
    if (!/\.zip$/.test(baseName(file.name))) {
      out.push({ file, path: file.name, display: file.name });
      continue;
    }
    try {
      for (const entry of await zipEntries(file))
        out.push({ file: entry, path: entry.name, display: `${file.name}: ${entry.name}` });
    } catch (error) {
      if (!(error instanceof DataError)) throw error;
      skipped.push(error);
    }
  }
  return out;
}

/** Path segments from the class level down: drops leading folders every image shares (`pets/cat/1.png`). */
function classPaths(items: Item[]): string[][] {
  const paths = items.map((item) => item.path.split('/'));
  while (paths.length > 0 && paths.every((p) => p.length >= 3 && p[0] === paths[0]![0]))
    for (const p of paths) p.shift();
  return paths;
}

export async function readImageFolder(files: DataFile[], options: ImportOptions = {}): Promise<ImportResult> {
  const skipped: DataError[] = [];
  const images: Item[] = [];
  for (const item of await expandArchives(files, skipped)) {
    const base = baseName(item.path);
    if (IMAGE_NAME.test(base)) images.push(item);
    else if (!LITTER.test(base))
      skipped.push(new DataError('unsupported', item.display, 'this is not a PNG or JPEG image; left out.'));
  }
  images.sort((a, b) => compareNames(a.display, b.display));
  const paths = classPaths(images);
  const classOf = new Map<Item, string>();
  images.forEach((item, i) => {
    const path = paths[i]!;
    if (path.length >= 2) classOf.set(item, path[0]!);
    else
      skipped.push(
        new DataError(
          'noClassFolder',
          item.display,
          'this image is not inside a class folder (one subfolder per class); left out.',
        ),
      );
  });
  const classes = [...new Set(classOf.values())].sort(compareNames);
  if (classes.length === 0) throw noImages(files, skipped);
  const classIndex = new Map(classes.map((name, i) => [name, i]));

  const progress = new ProgressTracker(options.onProgress, classOf.size);
  let shape: ImageShape | undefined = options.shape;
  let builder: DataSetBuilder | undefined;
  const imported: string[] = [];
  for (const [item, className] of classOf) {
    progress.advance(1, `Reading ${item.display}`);
    try {
      const image = decodeImage(await item.file.bytes(), item.display);
      // NOTE: with no shape given, the first image that decodes sets it (grey stays 1 channel, colour 3).
      shape ??= [image.channels, image.height, image.width];
      if (!builder) {
        builder = new DataSetBuilder(shape, item.display, classOf.size);
        builder.beginPart('images', imported);
      }
      builder.add(
        classIndex.get(className)!,
        fitImage(image.planes, image.channels, image.height, image.width, shape),
      );
      imported.push(item.display);
    } catch (error) {
      if (!(error instanceof DataError)) throw error;
      skipped.push(error);
    }
  }
  if (!builder || builder.count === 0) throw noImages(files, skipped);
  // Every class folder is a class, even one whose images all failed, so label numbers follow folder order.
  const names = options.classes ? [...options.classes, ...classes.slice(options.classes.length)] : classes;
  const dataset = builder.finish(
    'image-folder',
    options.name ?? (files.length === 1 ? files[0]!.name : commonFolder(files)),
    names,
  );
  progress.finish(`Read ${dataset.labels.length} images in ${classes.length} classes`);
  return { dataset, skipped };
}

function commonFolder(files: DataFile[]): string {
  const first = files[0]?.name.split('/')[0] ?? '';
  return files.every((file) => file.name.split('/')[0] === first) ? first : 'images';
}

function noImages(files: DataFile[], skipped: DataError[]): DataError {
  const reasons = skipped
    .slice(0, 5)
    .map((e) => e.message)
    .join(' ');
  return new DataError(
    'empty',
    files.length === 1 ? files[0]!.name : '',
    `no images could be imported: an image folder needs one subfolder per class holding PNG or JPEG files.${reasons ? ` ${reasons}` : ''}`,
  );
}
