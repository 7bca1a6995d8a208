// Would fusion pay? Times a whole step of LeNet-5 and the chapter's ResNet (batch 64) on the current adapter,
// then the same step's ReLU and BatchNorm dispatches alone: what fusing bias + ReLU (into Conv2d / Linear) and
// BatchNorm + ReLU (eval) could save at most is the time of the passes it removes; then each op kind's share.
// Run: npx tsx test/bench/fusion.bench.ts [--runs 5] [--models lenet,resnet]
// NOTE: medians over runs after a warm-up; every clock stops after the GPU finished (flush).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile } from '../../engine/compile/compile.ts';
import type { OpName } from '../../engine/compile/ops.ts';
import { numel, type Program } from '../../engine/compile/program.ts';
import { openNodeRuntime } from '../../engine/gpu/node-device.ts';
import { parseProject } from '../../engine/io/project/project.ts';
import { Random } from '../../engine/train/random.ts';
import { initialize } from '../../engine/train/state.ts';
import { webgpuBackend } from '../../engine/webgpu/index.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const BATCH = 64;
const option = (name: string, fallback: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] ? process.argv[at + 1]! : fallback;
};
const runs = Number(option('runs', '5'));
const models = option('models', 'lenet,resnet').split(',');
const FILES: Record<string, [string, string]> = {
  lenet: ['LeNet-5', 'lenet5.json'],
  resnet: ['ResNet (chapter)', 'resnet_chapter.json'],
};
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
const template = (file: string) => parseProject(readFileSync(join(ROOT, 'templates', file), 'utf8')).graph;

const runtime = await openNodeRuntime();
const backend = webgpuBackend(runtime);
console.log(`adapter: ${runtime.info().label}; batch ${BATCH}; median of ${runs} runs after a warm-up (ms)`);

/** Median ms of recording `record` once and waiting for the GPU. */
async function time(exec: { flush(): Promise<void> }, record: () => void): Promise<number> {
  record();
  await exec.flush(); // warm-up
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    record();
    await exec.flush();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

async function measure(file: string, mode: 'train' | 'eval') {
  const program: Program = compile(template(file), BATCH, {
    mode,
    optimizer: mode === 'train' ? 'sgd' : null,
  });
  const exec = await backend.bind(program);
  initialize(exec, new Random(1));
  const rng = new Random(7);
  exec.write(
    program.batch,
    Float32Array.from({ length: numel(program.tensors[program.batch]!.shape) }, () => rng.normal()),
  );
  const training = mode === 'train';
  const steps = (ops: readonly OpName[] | null, backward: boolean) => () => {
    program.forward.forEach((s, i) => {
      if (!ops || ops.includes(s.op)) exec.forward(i, training);
    });
    if (backward)
      program.backward.forEach((s, i) => {
        if (!ops || ops.includes(s.op)) exec.backward(i, training);
      });
  };
  const whole = await time(exec, steps(null, training));
  const relu = await time(exec, steps(['relu'], training));
  const reluForward = await time(exec, steps(['relu'], false));
  const bn = await time(exec, steps(['batch_norm'], false));
  // Where the rest of the time goes: each op kind's passes alone (forward, and backward when training).
  const kinds = [...new Set(program.forward.map((s) => s.op))];
  const byKind: [OpName, number][] = [];
  for (const kind of kinds) byKind.push([kind, await time(exec, steps([kind], training))]);
  exec.dispose();
  const relus = program.forward.filter((s) => s.op === 'relu').length;
  return { whole, relu, reluForward, bn, relus, byKind };
}

const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)}%`;
const breakdown = (byKind: [OpName, number][], whole: number) =>
  [...byKind]
    .sort((x, y) => y[1] - x[1])
    .map(([kind, ms]) => `${kind} ${ms.toFixed(0)} ms (${pct(ms, whole)})`)
    .join(', ');
for (const key of models) {
  const [name, file] = FILES[key]!;
  const train = await measure(file, 'train');
  console.log(
    `\n${name}, training forward+backward: ${train.whole.toFixed(1)} ms; its ${train.relus} ReLU passes ` +
      `(forward+backward) ${train.relu.toFixed(1)} ms = ${pct(train.relu, train.whole)}, forward only ` +
      `${train.reluForward.toFixed(1)} ms = ${pct(train.reluForward, train.whole)}`,
  );
  console.log(`  by op kind: ${breakdown(train.byKind, train.whole)}`);
  const inference = await measure(file, 'eval');
  console.log(
    `${name}, inference forward: ${inference.whole.toFixed(1)} ms; ReLU passes ${inference.reluForward.toFixed(1)} ms ` +
      `= ${pct(inference.reluForward, inference.whole)}; BatchNorm (eval) passes ${inference.bn.toFixed(1)} ms ` +
      `= ${pct(inference.bn, inference.whole)}`,
  );
  console.log(`  by op kind: ${breakdown(inference.byKind, inference.whole)}`);
}
runtime.close();
