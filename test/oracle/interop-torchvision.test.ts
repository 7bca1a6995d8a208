// torchvision's own models into NeuroCanvas: a state_dict torch.save wrote from torchvision (random init, random
// BatchNorm statistics) loads strictly (readCheckpoint + loadWeights), and the engine's eval outputs equal
// torchvision's. NOTE: FAILS (does not skip) when /usr/bin/python3 or its torch/torchvision is missing.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineOutputs, seededInput } from '../../cli/weights.ts';
import { formatLoadReport, loadWeights } from '../../engine/io/load-weights.ts';
import { readCheckpoint } from '../../engine/io/torch/index.ts';
import { TEMPLATES } from '../../templates/catalog.ts';
import { BATCH, compareOutputs, readF32, runInterop, SMALL_IMAGE, templateGraph } from './interop-python.ts';

const TORCHVISION = TEMPLATES.filter((t) => t.category === 'imagenet');
const folder = mkdtempSync(join(tmpdir(), 'nc-interop-torchvision-'));
const figures: string[] = [];
let oracle: Record<string, { shape: number[]; seconds: number }>;

const paths = (id: string) => ({
  weights: join(folder, `${id}.pt`),
  input: join(folder, `${id}.input.f32`),
  output: join(folder, `${id}.torch.f32`),
});

beforeAll(() => {
  const models: Record<string, unknown> = {};
  TORCHVISION.forEach((template, i) => {
    const files = paths(template.id);
    writeFileSync(files.input, seededInput(SMALL_IMAGE, BATCH, 10 + i));
    models[template.id] = { ...files, seed: 100 + i, shape: [BATCH, ...SMALL_IMAGE] };
  });
  oracle = runInterop<typeof oracle>('torchvision', { models }, join(folder, 'job.json')).result;
}, 600_000);

afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
  console.log(`torchvision checkpoints in the engine (CPU eval, batch ${BATCH}):\n${figures.join('\n')}`);
});

describe('torchvision state_dicts load into the templates and give torchvision outputs', () => {
  it('covers every torchvision template', () => {
    expect(Object.keys(oracle).sort()).toEqual(TORCHVISION.map((t) => t.id).sort());
    expect(TORCHVISION.length).toBe(7);
  });

  for (const template of TORCHVISION)
    it(`${template.id}: strict load, eval outputs within 1e-4 x max(1, max|ref|)`, async () => {
      const files = paths(template.id);
      const { graph } = templateGraph(template);
      const { stateDict, warnings } = await readCheckpoint(new Uint8Array(readFileSync(files.weights)));
      expect(warnings).toEqual([]);
      const { loaded, report, ok } = loadWeights(graph, stateDict, { strict: true });
      expect(ok, formatLoadReport(report)).toBe(true);
      expect(loaded.size).toBe(stateDict.size);
      const started = performance.now();
      const ours = await engineOutputs(graph, loaded, readF32(files.input), BATCH);
      const seconds = (performance.now() - started) / 1000;
      expect(oracle[template.id]!.shape).toEqual([BATCH, 1000]);
      const { difference, scale, tolerance } = compareOutputs(ours, readF32(files.output));
      figures.push(
        `  ${template.id.padEnd(12)} max abs difference ${difference.toExponential(2)}  max|ref| ${scale.toExponential(2)}  engine ${seconds.toFixed(2)} s  torchvision ${oracle[template.id]!.seconds} s`,
      );
      expect(difference).toBeLessThanOrEqual(tolerance);
      expect(scale).toBeGreaterThan(1e-3);
    });
});
