// Training benchmark on the current WebGPU adapter: images/s for LeNet-5 and the chapter's ResNet at batch 64
// (and on the CPU backend), time to the first finished step, conv kernel GFLOP/s next to the best matmul's, and the same training with
// TensorFlow.js (WebGPU, same adapter) and PyTorch (CPU, 2 threads), with the ratios.
// Run: npx tsx test/bench/train.bench.ts [--runs 3] [--lenet-steps 5] [--resnet-steps 1] [--tfjs-steps 3]
//        [--no-tfjs] [--no-torch]
// Other templates instead, each next to PyTorch CPU running its generated model.py:
//      npm run bench -- --models vgg_cifar,densenet_cifar [--steps 1] [--batch 64] [--runs 3] [--no-torch]
// NOTE: medians over runs, warm-up excluded; every clock stops after the GPU work finished (a readback).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Backend } from '../../engine/compile/backend.ts';
import { compile } from '../../engine/compile/compile.ts';
import type { Conv2dAttrs } from '../../engine/compile/ops.ts';
import type { Program } from '../../engine/compile/program.ts';
import { cpuBackend } from '../../engine/cpu/backend.ts';
import { startCpuThreads } from '../../engine/cpu/gemm.ts';
import { nodeHelpers, nodeSpawner } from '../../engine/cpu/node-threads.ts';
import { timeVariants } from '../../engine/gpu/index.ts';
import { nodeGpu, openNodeRuntime } from '../../engine/gpu/node-device.ts';
import { parseProject } from '../../engine/io/project/project.ts';
import { generateModelCode } from '../../engine/io/pytorch-code/index.ts';
import { SGD } from '../../engine/train/optimizers.ts';
import { Random } from '../../engine/train/random.ts';
import { initialize } from '../../engine/train/state.ts';
import type { Batch } from '../../engine/train/train-step.ts';
import { trainSteps } from '../../engine/train/train-steps.ts';
import { webgpuBackend } from '../../engine/webgpu/index.ts';
import { convPasses, passGflops } from './conv-passes.ts';

const ROOT = join(import.meta.dirname, '..', '..');

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] ? Number(process.argv[at + 1]) : fallback;
}
const BATCH = option('batch', 64);
/** `--models a,b`: template ids to measure instead of LeNet-5 and the chapter's ResNet. */
const models = (() => {
  const at = process.argv.indexOf('--models');
  return at >= 0 ? (process.argv[at + 1] ?? '').split(',').filter(Boolean) : [];
})();
const load = () =>
  `load average ${loadavg()
    .map((v) => v.toFixed(2))
    .join(', ')}`;
const runs = option('runs', 3);
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const seconds = (start: number) => (performance.now() - start) / 1000;
const template = (name: string) => parseProject(readFileSync(join(ROOT, 'templates', name), 'utf8')).graph;

const runtime = await openNodeRuntime();
console.log(`adapter: ${runtime.info().label}`);
console.log(`batch ${BATCH}, SGD momentum 0.9, random data; medians of ${runs} runs, warm-up excluded`);
console.log(`${load()} (1, 5, 15 min)\n`);
const backend = webgpuBackend(runtime);

/** Random images and labels for a program's batch shape, from a fixed seed. */
function batches(program: Program, count: number): Batch[] {
  const rng = new Random(7);
  const size = program.tensors[program.batch]!.shape.reduce((a, b) => a * b, 1);
  return Array.from({ length: count }, () => ({
    images: Float32Array.from({ length: size }, () => rng.normal()),
    labels: Int32Array.from({ length: BATCH }, () => rng.int(10)),
  }));
}

interface Throughput {
  firstStep: number;
  imagesPerSecond: number;
}

/**
 * Ours: time to the first finished step from compile (pipelines included), then images/s over `steps`, on the
 * WebGPU backend or (`on` cpuBackend) the CPU backend.
 */
async function ours(name: string, file: string, steps: number, on: Backend = backend): Promise<Throughput> {
  const started = performance.now();
  const program = compile(template(file), BATCH, { optimizer: 'sgd' });
  const exec = await on.bind(program);
  initialize(exec, new Random(1));
  const data = batches(program, steps);
  const sgd = new SGD({ lr: 0.01, momentum: 0.9 });
  await trainSteps(exec, sgd, data.slice(0, 1), { readEvery: 1 });
  const firstStep = seconds(started);
  await trainSteps(exec, sgd, data.slice(0, 1), { readEvery: 1 }); // warm-up
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    await trainSteps(exec, sgd, data, { readEvery: steps }); // the one read at the end waits for the GPU
    rates.push((steps * BATCH) / seconds(start));
  }
  exec.dispose();
  const result = { firstStep, imagesPerSecond: median(rates) };
  console.log(
    `${name.padEnd(14)} ${result.imagesPerSecond.toFixed(1).padStart(8)} images/s   first step ${firstStep.toFixed(1)} s (compile included), ${steps} steps per run`,
  );
  return result;
}

/** `--models`: each template on WebGPU, then PyTorch CPU (2 threads) on its generated model.py, and the ratios. */
async function templatesBench(ids: readonly string[]): Promise<void> {
  const steps = option('steps', 1);
  console.log('NeuroCanvas WebGPU training');
  const ourRates = new Map<string, number>();
  for (const id of ids) ourRates.set(id, (await ours(id, `${id}.json`, steps)).imagesPerSecond);
  runtime.close();
  if (process.argv.includes('--no-torch')) return;
  const folder = mkdtempSync(join(tmpdir(), 'nc-bench-'));
  try {
    const specs = ids.map((id) => {
      const graph = template(`${id}.json`);
      const file = join(folder, `${id}.py`);
      writeFileSync(file, generateModelCode(graph));
      const shape = graph.nodes.find((n) => n.kind === 'Input')!.params.shape as number[];
      return ['--model', `${id}=${file}:${shape.join(',')}`];
    });
    const script = join(ROOT, 'test', 'bench', 'train_torch.py');
    const args = [...specs.flat(), '--steps', String(Math.max(steps, 3)), '--batch', String(BATCH)];
    const result = spawnSync('/usr/bin/python3', [script, ...args, '--runs', String(Math.max(runs, 3))], {
      encoding: 'utf8',
      timeout: 1_800_000,
    });
    if (result.status !== 0) {
      console.log(
        `\nPyTorch: not available (${result.error?.message ?? result.stderr.trim().split('\n').pop()})`,
      );
      return;
    }
    const torch = JSON.parse(result.stdout.trim().split('\n').pop()!) as {
      torch: string;
      threads: number;
      models: Record<string, number>;
    };
    console.log(`\nPyTorch ${torch.torch} CPU, ${torch.threads} threads, the generated model.py`);
    for (const id of ids)
      console.log(`${id.padEnd(14)} ${torch.models[id]!.toFixed(1).padStart(8)} images/s`);
    console.log('\nratios (NeuroCanvas / PyTorch CPU, images/s)');
    for (const id of ids)
      console.log(`  ${id.padEnd(16)} ${(ourRates.get(id)! / torch.models[id]!).toFixed(3)}x`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  console.log(`\n${load()} at the end`);
}

if (models.length) {
  await templatesBench(models);
  process.exit(0);
}

console.log('NeuroCanvas WebGPU training');
const lenet = await ours('LeNet-5', 'lenet5.json', option('lenet-steps', 5));
const resnet = await ours('ResNet', 'resnet_chapter.json', option('resnet-steps', 1));
// The CPU backend (its matrix products in WebAssembly SIMD, large ones split over a thread per core, as the CLI
// runs it): what `--backend auto` picks on a software adapter such as this one.
const cpuThreads = 1 + (await startCpuThreads(nodeSpawner, nodeHelpers()));
console.log(
  `\nNeuroCanvas CPU training (WebAssembly SIMD, ${cpuThreads} thread${cpuThreads > 1 ? 's' : ''})`,
);
const lenetCpu = await ours('LeNet-5', 'lenet5.json', option('lenet-steps', 5), cpuBackend);
const resnetCpu = await ours('ResNet', 'resnet_chapter.json', option('resnet-steps', 1), cpuBackend);

// Conv kernels: one conv at a time, each pass alone (the backward variants keep only one gradient).
console.log('\nconv kernels (GFLOP/s from 2 * N * O * OH * OW * Cg * KH * KW per pass)');
const convs: [string, number[], number[], Conv2dAttrs][] = [
  [
    'LeNet conv2 6->16 5x5, N=64, 14x14',
    [64, 6, 14, 14],
    [16, 6, 5, 5],
    { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1, bias: true },
  ],
  [
    'ResNet blk2.conv2 32->32 3x3, N=16, 32x32',
    [16, 32, 32, 32],
    [32, 32, 3, 3],
    { stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1, bias: true },
  ],
];
for (const [name, x, weight, attrs] of convs) {
  const cells = await passGflops(backend, convPasses(attrs, x, weight), runs);
  console.log(`  ${name.padEnd(42)} ${cells.join(', ')}`);
}
const matmul = await timeVariants(runtime, { m: 512, n: 512, k: 512 }, { runs });
const best = matmul.reduce((a, b) => (b.gflops > a.gflops ? b : a));
console.log(
  `  best matmul 512^3: ${best.variant} ${best.gflops.toFixed(2)} GFLOP/s (${matmul.map((t) => `${t.variant} ${t.gflops.toFixed(2)}`).join(', ')})`,
);
runtime.close();

// TensorFlow.js on the same adapter (its own device), LeNet-5 only: its ResNet takes minutes per step here.
let tfjs: Throughput | null = null;
if (!process.argv.includes('--no-tfjs')) {
  Object.defineProperty(globalThis, 'navigator', {
    value: { gpu: nodeGpu(), userAgent: 'node' },
    configurable: true,
  });
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-webgpu');
  const tfl = await import('@tensorflow/tfjs-layers');
  await tf.setBackend('webgpu');
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [28, 28, 1],
        filters: 6,
        kernelSize: 5,
        padding: 'same',
        activation: 'relu',
      }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'relu' }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 120, activation: 'relu' }),
      tfl.layers.dense({ units: 84, activation: 'relu' }),
      tfl.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.momentum(0.01, 0.9), loss: 'categoricalCrossentropy' });
  const images = tf.randomNormal([BATCH, 28, 28, 1], 0, 1, 'float32', 7);
  const labels = tf.oneHot(tf.randomUniform([BATCH], 0, 10, 'int32', 8) as never, 10);
  let start = performance.now();
  await model.trainOnBatch(images, labels); // trainOnBatch resolves once the loss is read back
  const firstStep = seconds(start);
  await model.trainOnBatch(images, labels); // warm-up
  const times: number[] = [];
  for (let s = 0; s < option('tfjs-steps', 3); s++) {
    start = performance.now();
    await model.trainOnBatch(images, labels);
    times.push(seconds(start));
  }
  tfjs = { firstStep, imagesPerSecond: BATCH / median(times) };
  console.log(
    `\nTensorFlow.js ${tf.version_core} WebGPU, same adapter\nLeNet-5   ${tfjs.imagesPerSecond.toFixed(1).padStart(8)} images/s   first step ${firstStep.toFixed(1)} s (median of ${times.length} steps)`,
  );
}

// PyTorch on the CPU, 2 threads.
let torch = null as { torch: string; lenet: number; resnet: number } | null;
if (!process.argv.includes('--no-torch')) {
  const script = join(ROOT, 'test', 'bench', 'train_torch.py');
  const result = spawnSync('/usr/bin/python3', [script, '--runs', String(Math.max(runs, 3))], {
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (result.status === 0) {
    torch = JSON.parse(result.stdout.trim().split('\n').pop()!) as typeof torch;
    console.log(
      `\nPyTorch ${torch!.torch} CPU, 2 threads\nLeNet-5   ${torch!.lenet.toFixed(1).padStart(8)} images/s\nResNet    ${torch!.resnet.toFixed(1).padStart(8)} images/s`,
    );
  } else
    console.log(
      `\nPyTorch: not available (${result.error?.message ?? result.stderr.trim().split('\n').pop()})`,
    );
}

console.log('\nratios (NeuroCanvas / other, images/s)');
if (tfjs)
  console.log(
    `  LeNet-5 vs TensorFlow.js WebGPU: ${(lenet.imagesPerSecond / tfjs.imagesPerSecond).toFixed(2)}x`,
  );
if (torch) {
  console.log(`  LeNet-5 vs PyTorch CPU:          ${(lenet.imagesPerSecond / torch.lenet).toFixed(3)}x`);
  console.log(`  ResNet  vs PyTorch CPU:          ${(resnet.imagesPerSecond / torch.resnet).toFixed(3)}x`);
  console.log(
    `  CPU backend LeNet-5 vs PyTorch CPU: ${(lenetCpu.imagesPerSecond / torch.lenet).toFixed(3)}x`,
  );
  console.log(
    `  CPU backend ResNet  vs PyTorch CPU: ${(resnetCpu.imagesPerSecond / torch.resnet).toFixed(3)}x`,
  );
}
if (!tfjs && !torch) console.log('  (no baseline ran)');
