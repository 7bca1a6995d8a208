// The committed WebAssembly modules are what their .wat sources build to (`npm run wasm`), byte for byte.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script without types
import { wasmModule } from '../../scripts/build-wasm.mjs';

const folder = join(import.meta.dirname, '../../engine/cpu/wasm');
const sources = readdirSync(folder).filter((f) => f.endsWith('.wat'));

it('has a source for the CPU backend matrix product', () => {
  expect(sources).toContain('gemm.wat');
});

for (const file of sources)
  it(`engine/cpu/wasm/${file} builds to the committed module`, async () => {
    const name = file.slice(0, -4);
    const built: string = await wasmModule(name, readFileSync(join(folder, file), 'utf8'));
    expect(readFileSync(join(folder, `${name}-wasm.ts`), 'utf8')).toBe(built);
  });
