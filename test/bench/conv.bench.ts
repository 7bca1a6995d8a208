// Conv2d variants side by side on the current adapter: GFLOP/s of the register-blocked kernels (the choice on
// software adapters; with and without subgroup loads where the device runs subgroups of 4) and the
// workgroup-memory tiled kernels (the choice on hardware) for forward, input gradient and weight gradient, on
// LeNet-5's and the chapter ResNet's convs, next to the best matmul.
// Run: npx tsx test/bench/conv.bench.ts [--runs 3] [--batch 16]
// NOTE: medians of runs after a warm-up; every clock stops after the GPU finished (flush). Prints, asserts nothing.

import type { Conv2dAttrs, Shape } from '../../engine/compile/ops.ts';
import { chooseConvVariant, chooseSubgroupLoads, timeVariants } from '../../engine/gpu/index.ts';
import { openNodeRuntime } from '../../engine/gpu/node-device.ts';
import { type WebGpuBackendOptions, webgpuBackend } from '../../engine/webgpu/index.ts';
import { convPasses, passGflops } from './conv-passes.ts';

const option = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] ? Number(process.argv[at + 1]) : fallback;
};
const runs = option('runs', 3);
const batch = option('batch', 16);
const same = (padding: number): Conv2dAttrs => ({
  stride: [1, 1],
  padding: [padding, padding],
  dilation: [1, 1],
  groups: 1,
  bias: true,
});

const runtime = await openNodeRuntime();
const subgroupLoads = chooseSubgroupLoads(runtime.summary, 'blocked');
console.log(
  `adapter: ${runtime.info().label}; chooseConvVariant picks ${chooseConvVariant(runtime.summary)}; ` +
    `subgroup loads ${subgroupLoads ? 'on' : 'off'} (subgroup size ${runtime.summary.subgroupSize ?? 'not fixed'})`,
);
const variants: [string, WebGpuBackendOptions][] = [
  ['blocked', { convVariant: 'blocked' }],
  ...(subgroupLoads
    ? [
        ['blocked, no subgroup loads', { convVariant: 'blocked', subgroupLoads: false }] as [
          string,
          WebGpuBackendOptions,
        ],
      ]
    : []),
  ['tiled', { convVariant: 'tiled' }],
];
console.log(`median of ${runs} runs after a warm-up, GFLOP/s (2 x multiply-adds / s)\n`);

const convs: [string, Shape, Shape, Conv2dAttrs][] = [
  [`LeNet conv2 6->16 5x5, N=${batch}, 14x14`, [batch, 6, 14, 14], [16, 6, 5, 5], same(0)],
  [`ResNet blk1.conv1 16->16 3x3, N=${batch}, 32x32`, [batch, 16, 32, 32], [16, 16, 3, 3], same(1)],
  [`ResNet blk2.conv2 32->32 3x3, N=${batch}, 32x32`, [batch, 32, 32, 32], [32, 32, 3, 3], same(1)],
];
for (const [name, x, weight, attrs] of convs) {
  const passes = convPasses(attrs, x, weight);
  console.log(name);
  for (const [label, options] of variants) {
    const cells = await passGflops(webgpuBackend(runtime, options), passes, runs);
    console.log(`  ${label.padEnd(27)} ${cells.join(', ')}`);
  }
}
const matmul = await timeVariants(runtime, { m: 512, n: 512, k: 512 }, { runs });
const best = matmul.reduce((a, b) => (b.gflops > a.gflops ? b : a));
console.log(
  `best matmul 512^3: ${best.variant} ${best.gflops.toFixed(2)} (${matmul.map((t) => `${t.variant} ${t.gflops.toFixed(2)}`).join(', ')})`,
);
runtime.close();
