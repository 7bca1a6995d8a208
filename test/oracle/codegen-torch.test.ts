// The model.py export against real PyTorch: every template's code imports, has our state_dict, loads the
// reference model's weights strictly and gives its outputs; its __main__ runs; a torchvision checkpoint
// loads into a fine-tuned ResNet-18 graph reporting exactly the replaced head.
// NOTE: this test FAILS (does not skip) when /usr/bin/python3 or its torch is missing: CI installs them.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { analyze } from '../../engine/graph/analyze.ts';
import { GraphBuilder } from '../../engine/graph/builder.ts';
import { stateDictKeys } from '../../engine/graph/state-dict.ts';
import type { Graph } from '../../engine/graph/types.ts';
import { loadWeights } from '../../engine/io/load-weights.ts';
import { generateModelCode } from '../../engine/io/pytorch-code/index.ts';
import { float32Tensor, hostTensor, type StateDict } from '../../engine/io/tensor.ts';
import { readCheckpoint, writeStateDict } from '../../engine/io/torch/index.ts';
import { TEMPLATES, templateById } from '../../templates/catalog.ts';

const PYTHON = '/usr/bin/python3';
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'codegen_check.py');
/** ImageNet networks run on 3 x 64 x 64: their adaptive pooling takes any size, and it keeps the run short. */
const SMALL_IMAGE = [3, 64, 64];

interface Checked {
  state: [key: string, shape: number[], dtype: string][];
  reference: string;
  strict_load: string;
  max_difference: number | null;
  /** Largest output of the reference: a network that outputs zeros would match anything. */
  output_scale: number | null;
  output_shape?: number[];
}
interface Oracle {
  models: Record<string, Checked>;
  main: { returncode: number; stdout: string; stderr: string };
  checkpoint: string;
}

/**
 * A hand-made graph for what the templates lack: Reshape, a numbered group that is not a chain (Concat), an
 * unused branch, and an in-place ReLU whose input the Add also reads (PyTorch must not run it in place).
 */
function mixedGraph(): Graph {
  const b = new GraphBuilder();
  const x = b.layer('Input', { shape: [784] }, [], 'input');
  const image = b.layer('Reshape', { shape: [1, 28, 28] }, [x], 'reshape');
  const conv = b.layer('Conv2d', { out_channels: 8, kernel_size: 3, padding: 1 }, [image], 'conv');
  const relu = b.layer('ReLU', { inplace: true }, [conv], 'relu');
  const mix = b.group('mix', () => {
    const narrow = b.layer('Conv2d', { out_channels: 4, kernel_size: 1 }, [relu], '0');
    const gate = b.layer('Sigmoid', {}, [relu], '1');
    return b.layer('Concat', {}, [narrow, gate], '2');
  });
  b.layer('Conv2d', { out_channels: 2, kernel_size: 1 }, [mix], 'side');
  const shared = b.layer('ReLU', { inplace: true }, [mix], 'relu2');
  const sum = b.layer('Add', {}, [shared, mix], 'add');
  const flat = b.layer('Flatten', {}, [sum], 'flatten');
  const fc = b.layer('Linear', { out_features: 10 }, [flat], 'fc');
  b.layer('Output', { num_classes: 10 }, [fc], 'output');
  return b.graph;
}

/** Every template, plus the hand-made graph, with the sample shape each runs on. */
const GRAPHS: { id: string; build: () => Graph; input: number[] }[] = [
  ...TEMPLATES.map((t) => {
    const shape = t.build().nodes.find((n) => n.kind === 'Input')!.params.shape as number[];
    return { id: t.id, build: t.build, input: t.category === 'imagenet' ? SMALL_IMAGE : shape };
  }),
  { id: 'mixed', build: mixedGraph, input: [784] },
];

const folder = mkdtempSync(join(tmpdir(), 'nc-codegen-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
let cached: Oracle | Error | undefined;

function oracle(): Oracle {
  cached ??= runOracle();
  if (cached instanceof Error) throw cached;
  return cached;
}

/** Seeded values for a state_dict, so the __main__ run loads a model.pt that NeuroCanvas wrote. */
function someWeights(graph: Graph): StateDict {
  let seed = 7;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return (seed / 2147483648 - 0.5) * 0.2;
  };
  const weights: StateDict = new Map();
  for (const entry of stateDictKeys(analyze(graph))) {
    const count = entry.shape.reduce((a, b) => a * b, 1);
    weights.set(
      entry.key,
      entry.dtype === 'int64'
        ? hostTensor('int64', [...entry.shape])
        : float32Tensor([...entry.shape], Array.from({ length: count }, next)),
    );
  }
  return weights;
}

function runOracle(): Oracle | Error {
  if (!existsSync(PYTHON))
    return new Error(
      `${PYTHON} not found: the PyTorch oracle needs Debian's python3 with python3-torch and python3-torchvision (apt-get install python3-torch python3-torchvision).`,
    );
  const models: Record<string, { file: string; class: string; input: number[] }> = {};
  for (const { id, build, input } of GRAPHS) {
    const file = join(folder, id, 'model.py');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, generateModelCode(build()));
    models[id] = { file, class: 'Model', input };
  }
  const lenet = templateById('lenet5')!.build();
  writeFileSync(join(folder, 'lenet5', 'model.pt'), writeStateDict(someWeights(lenet)));
  const manifest = join(folder, 'manifest.json');
  const checkpoint = join(folder, 'resnet18-imagenet.pt');
  writeFileSync(manifest, JSON.stringify({ models, main: models.lenet5!.file, checkpoint }));
  const run = spawnSync(PYTHON, [SCRIPT, manifest], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 240_000,
  });
  if (run.error) return new Error(`could not run ${PYTHON} ${SCRIPT}: ${run.error.message}`);
  if (run.status !== 0)
    return new Error(
      `${PYTHON} ${SCRIPT} failed (exit ${run.status}); are python3-torch 1.13 and python3-torchvision 0.14 installed (apt, not pip)?\n${run.stderr}`,
    );
  return JSON.parse(run.stdout) as Oracle;
}

describe('generated model.py in PyTorch', () => {
  it('covers every template', () => {
    expect(Object.keys(oracle().models).sort()).toEqual([...TEMPLATES.map((t) => t.id), 'mixed'].sort());
  });

  for (const { id, build } of GRAPHS)
    describe(id, () => {
      it('imports, builds, and has our state_dict keys in our order, with our shapes and dtypes', () => {
        const ours = stateDictKeys(analyze(build())).map(
          (k) => `${k.key} ${JSON.stringify(k.shape)} ${k.dtype}`,
        );
        const theirs = oracle().models[id]!.state.map(
          ([key, shape, dtype]) => `${key} ${JSON.stringify(shape)} ${dtype}`,
        );
        expect(theirs).toEqual(ours);
      });

      it('loads the reference model state_dict with strict=True and gives its outputs within 1e-4', () => {
        const checked = oracle().models[id]!;
        expect(checked.strict_load, `loading ${checked.reference}`).toBe('ok');
        const classes = build().nodes.find((n) => n.kind === 'Output')!.params.num_classes;
        expect(checked.output_shape).toEqual([2, classes]);
        expect(checked.max_difference).not.toBeNull();
        expect(checked.max_difference!).toBeLessThanOrEqual(1e-4);
        expect(checked.output_scale!).toBeGreaterThan(1e-3);
        expect(Number.isFinite(checked.output_scale)).toBe(true);
      });
    });

  it('runs the __main__ snippet: loads the model.pt NeuroCanvas wrote, predicts a class', () => {
    const { main } = oracle();
    expect(main.returncode, main.stderr).toBe(0);
    expect(main.stdout).toMatch(/^predicted class: \d$/m);
    expect(main.stdout).not.toMatch(/not found/);
  });
});

describe('loadWeights with a torchvision checkpoint', () => {
  /** ResNet-18 with its ImageNet head replaced by Linear(512, 10), as for fine-tuning on 10 classes. */
  function resnet18With10Classes(): Graph {
    const graph = templateById('resnet18')!.build();
    for (const node of graph.nodes) {
      if (node.name === 'fc' && node.parent === undefined) node.params = { ...node.params, out_features: 10 };
      if (node.kind === 'Output') node.params = { ...node.params, num_classes: 10 };
    }
    return graph;
  }

  it('loads all but the replaced head non-strictly and reports exactly fc.weight and fc.bias', async () => {
    const { stateDict } = await readCheckpoint(new Uint8Array(readFileSync(oracle().checkpoint)));
    const graph = resnet18With10Classes();
    expect(analyze(graph).problems.filter((p) => p.severity === 'error')).toEqual([]);
    const { loaded, report, ok } = loadWeights(graph, stateDict, { strict: false });
    expect(ok).toBe(true);
    expect(report.missing).toEqual([]);
    expect(report.unexpected).toEqual([]);
    expect(report.mismatched).toEqual([
      { key: 'fc.weight', nodeId: 'fc', expected: [10, 512], got: [1000, 512] },
      { key: 'fc.bias', nodeId: 'fc', expected: [10], got: [1000] },
    ]);
    const keys = stateDictKeys(analyze(graph)).map((k) => k.key);
    expect([...loaded.keys()]).toEqual(keys.filter((k) => !k.startsWith('fc.')));
    expect(loaded.get('conv1.weight')!.data).toEqual(stateDict.get('conv1.weight')!.data);
    expect(loaded.get('bn1.num_batches_tracked')!.dtype).toBe('int64');

    expect(loadWeights(graph, stateDict, { strict: true }).ok).toBe(false);
    const original = loadWeights(templateById('resnet18')!.build(), stateDict, { strict: true });
    expect(original.ok).toBe(true);
    expect(original.loaded.size).toBe(stateDict.size);
  });
});
