// Every template (the CIFAR ones at their size, the ImageNet ones at a small input) and a graph of the newer layers
// (activations, softmax, transposed conv, upsampling) on the WebGPU backend against PyTorch: one SGD step at batch 2
// (8 for GoogLeNet and DenseNet-121) from torch's default init of the generated model.py (ResNet-50: with its
// residual branches scaled down, see RUNS; test/oracle/templates_step.py, one run per model), the loss and every
// updated weight and running statistic within 1e-4 x max(1, max |reference|).
// NOTE: fails, not skips, without an adapter or without /usr/bin/python3 and its torch (CI installs both).

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
import { loadState } from '../../engine/train/state.ts';
import { trainStep } from '../../engine/train/train-step.ts';
import { webgpuBackend } from '../../engine/webgpu/index.ts';
import { templateById } from '../../templates/catalog.ts';
import { expectClose, maxAbsError, tolerance } from '../support/fixtures.ts';
import { sharedRuntime } from './fixture.ts';

const PYTHON = '/usr/bin/python3';
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', 'oracle', 'templates_step.py');
/** One model's step: the input it gets in place of the template's (none: its own), batch, seed, backend. */
interface Run {
  id: string;
  input?: number[];
  batch: number;
  /** Seeds torch's init (the engine loads it) and, plus 1, the batch. */
  seed: number;
  /** WebGPU, or the CPU reference (the lowering's oracle where the GPU cannot be held to the tolerance). */
  cpu?: true;
  /** Also run torch's step in float64, and allow FLOAT32_NOISE x torch's own float32 error where that is larger. */
  float64?: true;
  /** Multiplies every Bottleneck's bn3.weight by this after torch's init (the oracle's residual_scale). */
  residualScale?: number;
}

/**
 * The ImageNet templates run at about the smallest size their layers accept. At 3x32x32 VGG's features end 1x1
 * and AdaptiveAvgPool2d(7) spreads that to 7x7, so its classifier keeps all its ~120M weights. AlexNet's 11x11
 * stride-4 stem and three 3x3/2 pools need 63x63 at least (63 -> 15 -> 7 -> 3 -> 1). GoogLeNet's ceil-mode pools
 * give 16-8-4-2-1; it has no aux heads (aux_logits=False).
 * NOTE: a step through many BatchNorm layers over a handful of values per channel is ill-conditioned: at batch 2
 * and 3x32x32, torch's own float32 step differs from its float64 step by 40x (GoogLeNet) to 20,000x (DenseNet-121)
 * our tolerance, so no float32 engine could match it. Batch 8 brings GoogLeNet and DenseNet-121 to 0.15x and 0.04x,
 * ResNet-18 at 3x64x64 (2x2 at the end) to 0.005x.
 * NOTE: GoogLeNet at seed 107 has one BatchNorm output that torch and the CPU reference round to 0 and WebGPU to
 * +2.5e-7 (inception4b.branch3.1, before its ReLU): the ReLU's mask differs there and the step upstream moves by
 * 50x the tolerance. A step at a kink is not a test of arithmetic; seed 207 has none (seeds 207 and 307: 0.3x).
 * NOTE: ResNet-50 from PyTorch's default init is ill-conditioned at every size and batch tried (3x32x32 to
 * 3x224x224, batch 2 to 32): torch's own float32 step is 30x to 300x the tolerance from its float64 step (3x64x64,
 * batch 2, seeds 110, 210, 310: 314x, 139x, 495x, worst at layer1.1.conv1.weight), so no float32 engine could match
 * it. Each Bottleneck adds its residual branch at full scale (bn3.weight = 1). torchvision's zero_init_residual sets
 * bn3.weight to 0, which would leave most of the step's gradients at 0, so the oracle scales it to 0.1 instead
 * (residualScale): torch's float32 step is then 0.002x, 0.2x, 0.002x the tolerance from its float64 step, and WebGPU
 * matches torch like the other templates (seed 110: 0.2% of the tolerance; 210: 20%, torch's own float32 error;
 * 410, 510: 0.2%; 610: 2.4%), as does the CPU reference (110, 210, 310: 0.2%, 20%, 0.2%). Its step still runs in
 * float64 too, so the allowance FLOAT32_NOISE x torch's own error is there, but it stays under the tolerance.
 * NOTE: ResNet-50 at seed 310 has a kink, as GoogLeNet at 107: layer4.2's residual sum at one element is
 * -0.0735914 + 0.0735919 (torch float32 4.4e-7, float64 7.8e-7, the CPU reference 9.2e-7, WebGPU <= 0), so the last
 * ReLU passes that element's gradient (2.5e-3) on torch and the CPU and not on WebGPU, and the step moves by up to
 * 14x the tolerance (layer4.0.downsample.0.weight). Fed the CPU reference's inputs, every WebGPU op there is within
 * 1.7e-6 (relative) of it and the step within 0.2% of the tolerance: numerics, not a kernel bug.
 */
const RUNS: Run[] = [
  { id: 'resnet_cifar', batch: 2, seed: 100 },
  { id: 'vgg_cifar', batch: 2, seed: 101 },
  { id: 'densenet_cifar', batch: 2, seed: 102 },
  { id: 'breadth', batch: 2, seed: 103 },
  { id: 'vgg11', input: [3, 32, 32], batch: 2, seed: 104 },
  { id: 'vgg16', input: [3, 32, 32], batch: 2, seed: 105 },
  { id: 'alexnet', input: [3, 63, 63], batch: 2, seed: 106 },
  { id: 'googlenet', input: [3, 32, 32], batch: 8, seed: 207 },
  { id: 'densenet121', input: [3, 32, 32], batch: 8, seed: 108 },
  { id: 'resnet18', input: [3, 64, 64], batch: 2, seed: 109 },
  { id: 'breadth', batch: 2, seed: 111, cpu: true },
  { id: 'resnet50', input: [3, 64, 64], batch: 2, seed: 110, float64: true, residualScale: 0.1 },
];
const FLOAT32_NOISE = 3;
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

/**
 * The template's graph with every Dropout at p = 0 (torch cannot draw the engine's masks: another generator), and
 * the Input's shape set to `input` when given.
 */
function graphOf(id: string, input: number[] | undefined): Graph {
  const graph = id === 'breadth' ? breadthGraph() : templateById(id)!.build();
  for (const node of graph.nodes) {
    if (node.kind === 'Dropout') node.params = { ...node.params, p: 0 };
    if (node.kind === 'Input' && input) node.params = { ...node.params, shape: input };
  }
  return graph;
}
const folder = mkdtempSync(join(tmpdir(), 'nc-templates-step-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Runs the PyTorch side for one model; resolves with its folder/ID.json. */
interface OracleMeta {
  keys: string[];
  loss: number;
  /** With `float64`: per floating entry, max |torch's float32 step - its float64 step|. */
  float32_error?: Record<string, number>;
}

async function oracle(
  id: string,
  graph: Graph,
  batch: number,
  seed: number,
  float64: boolean,
  residualScale: number | undefined,
): Promise<OracleMeta> {
  const file = join(folder, id, 'model.py');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, generateModelCode(graph));
  const input = graph.nodes.find((n) => n.kind === 'Input')!.params.shape as number[];
  const manifest = join(folder, id, 'manifest.json');
  writeFileSync(
    manifest,
    JSON.stringify({
      out: folder,
      name: id,
      file,
      input,
      batch,
      seed,
      sgd: OPTIONS,
      float64,
      residual_scale: residualScale,
    }),
  );
  const stderr: string[] = [];
  const status = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(PYTHON, [SCRIPT, manifest], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    child.on('error', (error) => reject(new Error(`could not run ${PYTHON} ${SCRIPT}: ${error.message}`)));
    child.on('close', resolve);
  });
  if (status !== 0)
    throw new Error(`${PYTHON} ${SCRIPT} failed for ${id} (exit ${status}):\n${stderr.join('')}`);
  return JSON.parse(readFileSync(join(folder, `${id}.json`), 'utf8'));
}

/**
 * A safetensors file as float32/int32 views on its bytes, one read and no copies (VGG's files are ~0.5 GB).
 * NOTE: the oracle aligns the data to 8 bytes and writes F32 and I32 only, so every tensor can be a view.
 */
function viewSafetensors(path: string): Map<string, Float32Array | Int32Array> {
  const bytes = readFileSync(path);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<
    string,
    { dtype: 'F32' | 'I32'; data_offsets: [number, number] }
  >;
  // NOTE: Node pools small files' buffers at any offset; copy those so the views are aligned.
  const data = bytes.byteOffset % 4 ? new Uint8Array(bytes) : bytes;
  const base = data.byteOffset + 8 + headerLength;
  const out = new Map<string, Float32Array | Int32Array>();
  for (const [
    name,
    {
      dtype,
      data_offsets: [from, to],
    },
  ] of Object.entries(header)) {
    const View = dtype === 'F32' ? Float32Array : dtype === 'I32' ? Int32Array : null;
    if (!View) throw new Error(`${path}: ${name} has dtype ${dtype}; the oracle writes F32 and I32`);
    out.set(name, new View(data.buffer, base + from, (to - from) / 4));
  }
  return out;
}

/** Binds the graph on WebGPU, or on the CPU reference for the small breadth graph (its lowering's oracle). */
async function bind(program: ReturnType<typeof compile>, cpu: boolean) {
  if (cpu) return cpuBackend.bind(program);
  return webgpuBackend(await gpu(), { matmulVariant: 'blocked8x8' }).bind(program);
}

describe.each(RUNS.map((run) => ({ ...run, backend: run.cpu ? 'the CPU reference' : 'WebGPU' })))(
  '$id: one SGD step on $backend matches PyTorch',
  ({ id, input, batch, seed, cpu, float64, residualScale, backend }) => {
    const name = `${id}${cpu ? '.cpu' : ''}`;
    const size = `batch ${batch}${input ? `, input ${input.join('x')}` : ''}`;
    it(`loss and every updated state_dict entry (${size})`, { timeout: 600_000 }, async () => {
      const started = performance.now();
      const graph = graphOf(id, input);
      const program = compile(graph, batch, { optimizer: 'sgd' });
      // The oracle runs while the pipelines compile.
      const [meta, exec] = await Promise.all([
        oracle(name, graph, batch, seed, float64 === true, residualScale),
        bind(program, cpu === true),
      ]);
      let worst = 0;
      try {
        const init = viewSafetensors(join(folder, `${name}.init.safetensors`));
        loadState(exec, new Map(meta.keys.map((k) => [k, init.get(k)!])));
        const sgd = new SGD({
          lr: OPTIONS.lr,
          momentum: OPTIONS.momentum,
          weightDecay: OPTIONS.weight_decay,
        });
        const result = await trainStep(exec, sgd, {
          images: init.get('images') as Float32Array,
          labels: init.get('labels') as Int32Array,
        });
        init.clear();
        expectClose(`${id} loss`, [result.loss], [meta.loss]);
        // One entry at a time off the device, so only the reference file and one tensor are in memory.
        const after = viewSafetensors(join(folder, `${name}.sgd.safetensors`));
        expect(exec.program.state.map((e) => e.key)).toEqual(meta.keys);
        const wrong: string[] = [];
        for (const entry of exec.program.state) {
          const ours = await exec.read(entry.tensor);
          const ref = after.get(entry.key)!;
          expect(ours.length, `${entry.key}: length`).toBe(ref.length);
          if (entry.torchDtype === 'int64') {
            if (ours.some((v, k) => v !== ref[k])) wrong.push(`${entry.key}: [${ours}], torch [${ref}]`);
            continue;
          }
          const noise = FLOAT32_NOISE * (meta.float32_error?.[entry.key] ?? 0);
          const [error, allowed] = [maxAbsError(ours, ref), Math.max(tolerance(ref), noise)];
          worst = Math.max(worst, error / allowed);
          if (!(error <= allowed))
            wrong.push(
              `${entry.key}: max abs error ${error.toExponential(2)} > tolerance ${allowed.toExponential(2)}`,
            );
        }
        expect(wrong, `${id}: state_dict entries off after the step`).toEqual([]);
      } finally {
        exec.dispose();
      }
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log(
        `${id} on ${backend} (${size}): ${seconds} s, worst error ${(worst * 100).toFixed(1)}% of its tolerance`,
      );
    });
  },
);
