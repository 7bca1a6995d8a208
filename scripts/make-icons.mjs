// Draws the app icon (three layers' nodes joined by edges on a dark rounded square) and writes the PNGs
// electron-builder derives every platform's icon from: build/icons/{1024x1024,512x512,256x256}.png.
// Usage: node scripts/make-icons.mjs

import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { encode } from 'fast-png';

const folder = fileURLToPath(new URL('../build/icons/', import.meta.url));
const SIZES = [1024, 512, 256];

const BACKGROUND_TOP = [0x22, 0x27, 0x35];
const BACKGROUND_BOTTOM = [0x12, 0x14, 0x1a];
const EDGE = [0x5a, 0xa2, 0xff];
const NODE = [0x5a, 0xa2, 0xff];
const NODE_CORE = [0xe8, 0xf1, 0xff];

// Shapes in unit coordinates (0..1). An input node feeds two hidden nodes, which both feed the output.
const nodes = [
  [0.22, 0.5],
  [0.5, 0.3],
  [0.5, 0.7],
  [0.78, 0.5],
];
const edges = [
  [0, 1],
  [0, 2],
  [1, 3],
  [2, 3],
];

const clamp01 = (v) => Math.min(1, Math.max(0, v));
/** Coverage of a shape from its signed distance in pixels (antialiased edge one pixel wide). */
const coverage = (distance) => clamp01(0.5 - distance);

function roundedSquareDistance(x, y, inset, radius) {
  const qx = Math.abs(x - 0.5) - (0.5 - inset - radius);
  const qy = Math.abs(y - 0.5) - (0.5 - inset - radius);
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
}

function segmentDistance(x, y, [ax, ay], [bx, by]) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = clamp01(((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy));
  return Math.hypot(x - (ax + t * dx), y - (ay + t * dy));
}

const over = (base, color, alpha) => base.map((c, i) => c + (color[i] - c) * alpha);

function draw(size) {
  const data = new Uint8Array(size * size * 4);
  const px = 1 / size;
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      const x = (col + 0.5) * px;
      const y = (row + 0.5) * px;
      const shape = coverage(roundedSquareDistance(x, y, 0.04, 0.2) / px);
      let color = over(BACKGROUND_TOP, BACKGROUND_BOTTOM, y);
      for (const [a, b] of edges)
        color = over(color, EDGE, 0.85 * coverage((segmentDistance(x, y, nodes[a], nodes[b]) - 0.022) / px));
      for (const [nx, ny] of nodes) {
        const d = Math.hypot(x - nx, y - ny);
        color = over(color, NODE, coverage((d - 0.085) / px));
        color = over(color, NODE_CORE, coverage((d - 0.04) / px));
      }
      const at = (row * size + col) * 4;
      data.set([...color.map(Math.round), Math.round(255 * shape)], at);
    }
  }
  return encode({ width: size, height: size, data, channels: 4, depth: 8 });
}

mkdirSync(folder, { recursive: true });
for (const size of SIZES) {
  writeFileSync(`${folder}${size}x${size}.png`, draw(size));
  console.log(`wrote build/icons/${size}x${size}.png`);
}
