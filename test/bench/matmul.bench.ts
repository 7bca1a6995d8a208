// Matmul benchmark: GFLOP/s of each kernel variant at 256, 512 and 1024 cubed, split-K against unsplit on the
// chapter ResNet's 32768 -> 10 Linear at batch 64, and the variant chooseVariant picks.
// Run: npx tsx test/bench/matmul.bench.ts [--sizes 256,512,1024] [--runs 5] [--spin] [--no-robustness]
//   --spin           leave Dawn's busy polling on (default: nodeGpu's polite 1 ms polling)
//   --no-robustness  Dawn toggle disable_robustness (no bounds checks in shaders; not what browsers do)

import {
  chooseVariant,
  MATMUL_VARIANTS,
  type MatmulShape,
  matmulSplit,
  timeVariants,
  variantChoice,
} from '../../engine/gpu/index.ts';
import { openNodeRuntime } from '../../engine/gpu/node-device.ts';

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] ? process.argv[at + 1]! : fallback;
}

const sizes = option('sizes', '256,512,1024').split(',').map(Number);
const runs = Number(option('runs', '5'));
const spin = process.argv.includes('--spin');
const noRobustness = process.argv.includes('--no-robustness');

const runtime = await openNodeRuntime({
  politePolling: !spin,
  dawnFlags: noRobustness ? ['enable-dawn-features=disable_robustness'] : [],
});
console.log(`adapter: ${runtime.info().label}`);
console.log(
  `polling: ${spin ? 'spin (Dawn default)' : 'polite (1 ms timer)'}, robustness: ${noRobustness ? 'off' : 'on'}`,
);
console.log(`median of ${runs} runs after a warm-up, GPU work finished before each clock stops\n`);
console.log(['size'.padEnd(6), ...MATMUL_VARIANTS.map((v) => v.padStart(12))].join(' '), '  (GFLOP/s)');

for (const size of sizes) {
  // The slow variants at 1024 take seconds per run on SwiftShader; fewer runs keep the whole bench short.
  const sizeRuns = size >= 1024 ? Math.min(runs, 3) : runs;
  const timings = await timeVariants(runtime, { m: size, n: size, k: size }, { runs: sizeRuns });
  const cells = timings.map((t) => (t.error ? 'failed' : t.gflops.toFixed(2)).padStart(12));
  console.log([String(size).padEnd(6), ...cells].join(' '), `  (${sizeRuns} runs)`);
  for (const t of timings) if (t.error) console.log(`  ${t.variant}: ${t.error}`);
}

// The chapter ResNet's classifier: 32768 -> 10 at batch 64 (forward y = x W^T + b; the gradients have k = 10
// and k = 64, so the shape rule leaves them unsplit).
const linear: [string, MatmulShape][] = [
  ['fc forward 64x10, k 32768', { m: 64, n: 10, k: 32768, transposeB: true, bias: true }],
  ['fc dx 64x32768, k 10', { m: 64, n: 32768, k: 10 }],
  ['fc dW 10x32768, k 64', { m: 10, n: 32768, k: 64, transposeA: true, accumulate: true }],
];
console.log('\nLinear 32768 -> 10, batch 64: split-K (shape rule) vs unsplit, GFLOP/s');
for (const [name, shape] of linear) {
  for (const variant of MATMUL_VARIANTS) {
    const split = matmulSplit(shape, variant);
    const [ruled] = await timeVariants(runtime, shape, { runs, variants: [variant] });
    const [plain] =
      split.splits > 1
        ? await timeVariants(runtime, { ...shape, splitK: 1 }, { runs, variants: [variant] })
        : [ruled];
    const cell = (t: typeof ruled) => (t!.error ? 'failed' : t!.gflops.toFixed(2));
    console.log(
      `  ${name.padEnd(28)} ${variant.padEnd(11)} splits ${String(split.splits).padStart(3)}: ${cell(ruled).padStart(7)}` +
        `   unsplit: ${cell(plain).padStart(7)}   (${(plain!.seconds / ruled!.seconds).toFixed(1)}x)`,
    );
  }
}

const started = performance.now();
const picked = await chooseVariant(runtime);
const choice = await variantChoice(runtime);
const seconds = ((performance.now() - started) / 1000).toFixed(1);
const measured = choice.timings.map((t) => `${t.variant} ${t.gflops.toFixed(2)}`).join(', ');
console.log(
  `\nchooseVariant picks ${picked} (measured at 256^3 in ${seconds} s, pipelines already compiled: ${measured})`,
);
runtime.close();
