// The small CIFAR templates (ResNet, VGG, DenseNet) and a graph of the newer layers (activations, softmax,
// transposed conv, upsampling) on the WebGPU backend against PyTorch: one SGD step at batch 2 from torch's default init of the generated model.py (test/oracle/templates_step.py), the loss and
// every updated weight and running statistic within 1e-4 x max(1, max |reference|).
// NOTE: fails, not skips, without an adapter or without /usr/bin/python3 and its torch (CI installs both).

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../../engine/compile/compile.ts';
import { cpuBackend } from '../../engine/cpu/backend.ts';
import { GraphBuilder } from '../../engine/graph/builder.ts';
import type { Graph } from '../../engine/graph/types.ts';
import { generateModelCode } from '../../engine/io/pytorch-code/index.ts';
import { SGD } from '../../engine/train/optimizers.ts';
import { loadState, readState } from '../../engine/train/state.ts';
import { trainStep } from '../../engine/train/train-step.ts';
import { webgpuBackend } from '../../engine/webgpu/index.ts';
import { templateById } from '../../templates/catalog.ts';
import { expectClose, type Fixture, loadFixture } from '../support/fixtures.ts';
import { sharedRuntime } from './fixture.ts';

const PYTHON = '/usr/bin/python3';
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', 'oracle', 'templates_step.py');
const TEMPLATES = ['resnet_cifar', 'vgg_cifar', 'densenet_cifar', 'breadth'];
const BATCH = 2;
const OPTIONS = { lr: 0.05, momentum: 0.9, weight_decay: 5e-4 };

const gpu = sharedRuntime();

/** A small graph of the layers the templates lack: activations, softmax, transposed conv, both upsamplings. */
function breadthGraph(): Graph {
  const b = new GraphBuilder();
  let x = b.layer('Input', { shape: [3, 6, 6] }, [], 'input');
  x = b.layer('Conv2d', { out_channels: 4, kernel_size: 3, padding: 1 }, [x], 'conv1');
  x = b.layer('LeakyReLU', { negative_slope: 0.1 }, [x], 'leaky');
  x = b.layer(
    'ConvTranspose2d',
    { out_channels: 6, kernel_size: 3, stride: 2, padding: 1, output_padding: 1, groups: 2 },
    [x],
    'up1',
  );
  x = b.layer('Tanh', {}, [x], 'tanh');
  x = b.layer(
    'Upsample',
    { size: [15, 15], scale_factor: null, mode: 'bilinear', align_corners: true },
    [x],
    'up2',
  );
  x = b.layer('Conv2d', { out_channels: 4, kernel_size: 3, stride: 2 }, [x], 'conv2');
  x = b.layer('Upsample', { scale_factor: 1.5, mode: 'nearest' }, [x], 'up3');
  x = b.layer('Sigmoid', {}, [x], 'sigmoid');
  x = b.layer('Softmax', { dim: 1 }, [x], 'softmax');
  x = b.layer('Flatten', {}, [x], 'flatten');
  x = b.layer('Linear', { out_features: 10 }, [x], 'fc');
  b.layer('Output', { num_classes: 10 }, [x], 'output');
  return b.graph;
}

/** The template's graph with every Dropout at p = 0: torch cannot draw the engine's masks (another generator). */
function graphOf(id: string): Graph {
  const graph = id === 'breadth' ? breadthGraph() : templateById(id)!.build();
  for (const node of graph.nodes) if (node.kind === 'Dropout') node.params = { ...node.params, p: 0 };
  return graph;
}
const folder = mkdtempSync(join(tmpdir(), 'nc-templates-step-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

let ran: Error | true | undefined;
/** Runs the PyTorch side once for every template. */
function oracle(): void {
  ran ??= runOracle();
  if (ran instanceof Error) throw ran;
}

function runOracle(): Error | true {
  const models: Record<string, { file: string; input: number[] }> = {};
  for (const id of TEMPLATES) {
    const graph = graphOf(id);
    const file = join(folder, id, 'model.py');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, generateModelCode(graph));
    const input = graph.nodes.find((n) => n.kind === 'Input')!.params.shape as number[];
    models[id] = { file, input };
  }
  const manifest = join(folder, 'manifest.json');
  writeFileSync(manifest, JSON.stringify({ out: folder, models, batch: BATCH, sgd: OPTIONS }));
  const run = spawnSync(PYTHON, [SCRIPT, manifest], { encoding: 'utf8', timeout: 240_000 });
  if (run.error) return new Error(`could not run ${PYTHON} ${SCRIPT}: ${run.error.message}`);
  if (run.status !== 0) return new Error(`${PYTHON} ${SCRIPT} failed (exit ${run.status}):\n${run.stderr}`);
  return true;
}

/** Binds the graph on WebGPU, or on the CPU reference for the small breadth graph (its lowering's oracle). */
async function bind(program: ReturnType<typeof compile>, cpu: boolean) {
  if (cpu) return cpuBackend.bind(program);
  return webgpuBackend(await gpu(), { matmulVariant: 'blocked8x8' }).bind(program);
}

const RUNS: [string, string, boolean][] = [
  ...TEMPLATES.map((id): [string, string, boolean] => [id, 'WebGPU', false]),
  ['breadth', 'the CPU reference', true],
];

describe.each(RUNS)('%s: one SGD step on %s matches PyTorch', (id, _backend, cpu) => {
  it('loss and every updated state_dict entry', { timeout: 600_000 }, async () => {
    oracle();
    const fixture: Fixture<{ keys: string[] }> = loadFixture(id, folder);
    const graph = graphOf(id);
    const program = compile(graph, BATCH, { optimizer: 'sgd' });
    const exec = await bind(program, cpu);
    try {
      loadState(exec, new Map(fixture.meta.keys.map((k) => [k, fixture.get(`init.${k}`).data])));
      const sgd = new SGD({ lr: OPTIONS.lr, momentum: OPTIONS.momentum, weightDecay: OPTIONS.weight_decay });
      const result = await trainStep(exec, sgd, {
        images: fixture.get('images').data as Float32Array,
        labels: fixture.get('labels').data as Int32Array,
      });
      expectClose(`${id} loss`, [result.loss], fixture.get('loss').data);
      const state = await readState(exec);
      for (const key of fixture.meta.keys) {
        const ours = state.get(key);
        expect(ours, key).toBeDefined();
        const ref = fixture.get(`sgd.${key}`);
        if (ours!.dtype === 'int64')
          expect(Array.from(ours!.data, Number), key).toEqual(Array.from(ref.data));
        else expectClose(`${id} ${key}`, ours!.data as Float32Array, ref.data);
      }
    } finally {
      exec.dispose();
    }
  });
});
