// Every template exported with PyTorch's default init: torch 1.13 loads our .pt with weights_only=True, the
// generated model.py loads it with strict=True, and its eval outputs equal the engine's CPU eval forward.
// NOTE: FAILS (does not skip) when /usr/bin/python3 or its torch is missing: CI installs them.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineOutputs, seededInput } from '../../cli/weights.ts';
import { defaultStateDict, exportBytes, pythonClassName } from '../../engine/io/export.ts';
import { loadWeights } from '../../engine/io/load-weights.ts';
import { DEFAULT_TRAINING } from '../../engine/io/project/project.ts';
import { readCheckpoint } from '../../engine/io/torch/index.ts';
import { TEMPLATES } from '../../templates/catalog.ts';
import { BATCH, compareOutputs, readF32, runInterop, templateGraph } from './interop-python.ts';

interface Loaded {
  weights_only: string;
  strict?: string;
  shape?: number[];
  seconds?: number;
}

const folder = mkdtempSync(join(tmpdir(), 'nc-interop-export-'));
const figures: string[] = [];
let oracle: Record<string, Loaded>;
/** The engine's eval outputs per template (or why it could not run), with its time in seconds. */
const engine = new Map<string, { outputs: Float32Array; seconds: number } | Error>();

const paths = (id: string) => ({
  model: join(folder, id, 'model.py'),
  weights: join(folder, id, 'model.pt'),
  input: join(folder, id, 'input.f32'),
  output: join(folder, id, 'torch.f32'),
});

/**
 * Writes each template's model.py, .pt and input, and runs the engine on the same weights meanwhile (the weights
 * of the biggest networks take hundreds of MB, so no template's are kept); then torch runs every file once.
 */
beforeAll(async () => {
  const models: Record<string, unknown> = {};
  for (const template of TEMPLATES) {
    const { graph, shape } = templateGraph(template);
    const files = paths(template.id);
    mkdirSync(join(folder, template.id));
    const input = {
      graph,
      weights: defaultStateDict(graph, 0),
      className: pythonClassName(template.title),
      training: DEFAULT_TRAINING,
    };
    const x = seededInput(shape, BATCH, 1);
    writeFileSync(files.model, exportBytes('py', input));
    writeFileSync(files.weights, exportBytes('pt', input));
    writeFileSync(files.input, x);
    models[template.id] = { ...files, class: input.className, shape: [BATCH, ...shape] };
    const started = performance.now();
    try {
      const outputs = await engineOutputs(graph, input.weights, x, BATCH);
      engine.set(template.id, { outputs, seconds: (performance.now() - started) / 1000 });
    } catch (error) {
      engine.set(template.id, error as Error);
    }
  }
  oracle = runInterop<Record<string, Loaded>>('export', { models }, join(folder, 'job.json')).result;
}, 600_000);

afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
  console.log(`exported default init vs engine (CPU eval, batch ${BATCH}):\n${figures.join('\n')}`);
});

describe('exported .pt and model.py in torch 1.13', () => {
  it('our reader takes back what we wrote (LeNet-5), and it fits the graph strictly', async () => {
    const { graph } = templateGraph(TEMPLATES.find((t) => t.id === 'lenet5')!);
    const { stateDict, warnings } = await readCheckpoint(
      new Uint8Array(readFileSync(paths('lenet5').weights)),
    );
    expect(warnings).toEqual([]);
    expect(loadWeights(graph, stateDict).ok).toBe(true);
    expect(stateDict).toEqual(defaultStateDict(graph, 0));
  });

  for (const template of TEMPLATES)
    it(`${template.id}: weights_only load, strict load, eval outputs within 1e-4 x max(1, max|ref|)`, () => {
      const result = oracle[template.id]!;
      expect(result.weights_only, 'torch.load(path, weights_only=True)').toBe('ok');
      expect(result.strict, 'model.load_state_dict(state, strict=True)').toBe('ok');
      const { graph, shape } = templateGraph(template);
      const ours = engine.get(template.id)!;
      if (ours instanceof Error) throw ours;
      const classes = graph.nodes.find((n) => n.kind === 'Output')!.params.num_classes as number;
      expect(result.shape).toEqual([BATCH, classes]);
      const { difference, scale, tolerance } = compareOutputs(
        ours.outputs,
        readF32(paths(template.id).output),
      );
      figures.push(
        `  ${template.id.padEnd(15)} ${shape.join('x').padEnd(8)} max abs difference ${difference.toExponential(2)}  max|ref| ${scale.toExponential(2)}  engine ${ours.seconds.toFixed(2)} s  torch ${result.seconds} s`,
      );
      expect(difference).toBeLessThanOrEqual(tolerance);
      // a network whose outputs are all zero would match anything
      expect(scale).toBeGreaterThan(1e-6);
    });
});
