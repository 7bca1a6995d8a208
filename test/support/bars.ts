// A tiny generated data set and network for CLI tests: IDX files of 8x8 images of three bar directions
// (labels 0-2) and a small conv net project that learns them in a few epochs.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hash32 } from '../../engine/data/random.ts';
import { GraphBuilder } from '../../engine/graph/builder.ts';
import { newProject, serializeProject } from '../../engine/io/project/project.ts';

/** Writes `n` bar images and their labels as MNIST-style IDX files into `dir`. */
export function writeBarsIdx(dir: string, n = 90): void {
  mkdirSync(dir, { recursive: true });
  const images = new Uint8Array(16 + n * 64);
  const head = new DataView(images.buffer);
  for (const [i, v] of [0x803, n, 8, 8].entries()) head.setUint32(4 * i, v);
  const labels = new Uint8Array(8 + n);
  new DataView(labels.buffer).setUint32(0, 0x801);
  new DataView(labels.buffer).setUint32(4, n);
  for (let i = 0; i < n; i++) {
    const label = i % 3;
    labels[8 + i] = label;
    const at = 1 + (hash32(i) % 6);
    for (let y = 0; y < 8; y++)
      for (let x = 0; x < 8; x++) {
        const on = label === 0 ? y === at : label === 1 ? x === at : (x + y) % 8 === at;
        images[16 + i * 64 + y * 8 + x] = on ? 220 : hash32(i * 64 + y * 8 + x) % 50;
      }
  }
  writeFileSync(join(dir, 'train-images-idx3-ubyte'), images);
  writeFileSync(join(dir, 'train-labels-idx1-ubyte'), labels);
}

/** Writes `dir`/bars.json: conv -> ReLU -> pool -> Linear for 1x8x8 bars, Adam, batch 8, `epochs` epochs. */
export function writeBarsProject(dir: string, epochs: number): string {
  const b = new GraphBuilder();
  let x = b.layer('Input', { shape: [1, 8, 8] }, [], 'input');
  x = b.layer('Conv2d', { out_channels: 4, kernel_size: 3, padding: 1 }, [x], 'conv');
  x = b.layer('ReLU', {}, [x]);
  x = b.layer('MaxPool2d', { kernel_size: 2 }, [x], 'pool');
  x = b.layer('Flatten', {}, [x], 'flatten');
  x = b.layer('Linear', { out_features: 3 }, [x], 'fc');
  b.layer('Output', { num_classes: 3 }, [x], 'output');
  const training = {
    optimizer: 'adam' as const,
    lr: 0.01,
    momentum: 0.9,
    weight_decay: 0,
    batch_size: 8,
    epochs,
    seed: 1,
    validation_split: 0.2,
  };
  const file = join(dir, 'bars.json');
  writeFileSync(file, serializeProject(newProject('Bars', b.graph, { training })));
  return file;
}
