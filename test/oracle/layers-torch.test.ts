// PyTorch decides: every layer kind's output shape, state_dict and parameter count against torch 1.13.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { withDefaults } from '../../engine/layers/params.ts';
import { LAYERS, requireLayer } from '../../engine/layers/registry.ts';
import { numel } from '../../engine/layers/shapes.ts';
import type { Params, Shape, StateEntry } from '../../engine/layers/types.ts';

/** Debian's python3-torch lives here; NEUROCANVAS_PYTHON overrides it (e.g. to check the failure path). */
const PYTHON = process.env.NEUROCANVAS_PYTHON ?? '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./layer_shapes.py', import.meta.url));

interface Case {
  id: string;
  kind: string;
  params: Params;
  inputs: Shape[];
  /** PyTorch must reject it too (and so must we). */
  rejects?: boolean;
  /** Constructor text for PyTorch when ours leaves out the setting at fault. */
  torchText?: string;
}

const img = (c: number, h: number, w = h): Shape => [c, h, w];

const CASES: Case[] = [
  // Conv2d
  {
    id: 'conv 7 kernels 3x3 on 28',
    kind: 'Conv2d',
    params: { out_channels: 7, kernel_size: 3 },
    inputs: [img(1, 28)],
  },
  {
    id: 'conv padding 1 keeps 28',
    kind: 'Conv2d',
    params: { out_channels: 7, kernel_size: 3, padding: 1 },
    inputs: [img(1, 28)],
  },
  {
    id: 'conv odd 7 k3 s2 p1',
    kind: 'Conv2d',
    params: { out_channels: 8, kernel_size: 3, stride: 2, padding: 1 },
    inputs: [img(3, 7)],
  },
  {
    id: 'conv LeNet 5x5 p2',
    kind: 'Conv2d',
    params: { out_channels: 6, kernel_size: 5, padding: 2 },
    inputs: [img(1, 28)],
  },
  {
    id: 'conv dilation 2',
    kind: 'Conv2d',
    params: { out_channels: 4, kernel_size: 3, dilation: 2 },
    inputs: [img(3, 15)],
  },
  {
    id: 'conv groups 4',
    kind: 'Conv2d',
    params: { out_channels: 16, kernel_size: 3, groups: 4 },
    inputs: [img(8, 9)],
  },
  {
    id: 'conv depthwise no bias',
    kind: 'Conv2d',
    params: { out_channels: 16, kernel_size: 3, padding: 1, groups: 16, bias: false },
    inputs: [img(16, 10)],
  },
  {
    id: 'conv non-square',
    kind: 'Conv2d',
    params: { out_channels: 2, kernel_size: [3, 5], stride: [2, 1], padding: [1, 2] },
    inputs: [img(3, 11, 13)],
  },
  {
    id: 'conv 1x1 s2 odd 9',
    kind: 'Conv2d',
    params: { out_channels: 32, kernel_size: 1, stride: 2, bias: false },
    inputs: [img(16, 9)],
  },
  // ConvTranspose2d
  {
    id: 'convT k3 s2 p1 op1',
    kind: 'ConvTranspose2d',
    params: { out_channels: 8, kernel_size: 3, stride: 2, padding: 1, output_padding: 1 },
    inputs: [img(16, 7)],
  },
  {
    id: 'convT k4 s2 p1 groups 2',
    kind: 'ConvTranspose2d',
    params: { out_channels: 4, kernel_size: 4, stride: 2, padding: 1, groups: 2 },
    inputs: [img(8, 16)],
  },
  {
    id: 'convT dilation 2 output_padding 1',
    kind: 'ConvTranspose2d',
    params: { out_channels: 4, kernel_size: 3, dilation: 2, output_padding: 1, bias: false },
    inputs: [img(4, 5)],
  },
  // pooling
  { id: 'maxpool 2', kind: 'MaxPool2d', params: { kernel_size: 2 }, inputs: [img(6, 28)] },
  {
    id: 'maxpool GoogLeNet ceil',
    kind: 'MaxPool2d',
    params: { kernel_size: 3, stride: 2, ceil_mode: true },
    inputs: [img(64, 112)],
  },
  {
    id: 'maxpool GoogLeNet floor',
    kind: 'MaxPool2d',
    params: { kernel_size: 3, stride: 2 },
    inputs: [img(64, 112)],
  },
  {
    id: 'maxpool ceil drops window in padding',
    kind: 'MaxPool2d',
    params: { kernel_size: 2, stride: 3, padding: 1, ceil_mode: true },
    inputs: [img(1, 5)],
  },
  {
    id: 'maxpool k3 s1 p1',
    kind: 'MaxPool2d',
    params: { kernel_size: 3, stride: 1, padding: 1 },
    inputs: [img(4, 7)],
  },
  {
    id: 'maxpool dilation 2',
    kind: 'MaxPool2d',
    params: { kernel_size: 3, stride: 2, dilation: 2 },
    inputs: [img(2, 11)],
  },
  {
    id: 'maxpool stride defaults to kernel',
    kind: 'MaxPool2d',
    params: { kernel_size: 3, stride: null },
    inputs: [img(3, 7)],
  },
  { id: 'avgpool 2', kind: 'AvgPool2d', params: { kernel_size: 2 }, inputs: [img(16, 10)] },
  {
    id: 'avgpool ceil pad no count',
    kind: 'AvgPool2d',
    params: { kernel_size: 3, stride: 2, padding: 1, ceil_mode: true, count_include_pad: false },
    inputs: [img(8, 8)],
  },
  {
    id: 'avgpool non-square',
    kind: 'AvgPool2d',
    params: { kernel_size: [2, 3], stride: [2, 1] },
    inputs: [img(3, 9, 7)],
  },
  { id: 'adaptive global', kind: 'AdaptiveAvgPool2d', params: {}, inputs: [img(512, 7)] },
  { id: 'adaptive 2x3', kind: 'AdaptiveAvgPool2d', params: { output_size: [2, 3] }, inputs: [img(8, 5, 7)] },
  // Upsample
  { id: 'upsample x2 nearest', kind: 'Upsample', params: {}, inputs: [img(3, 14)] },
  {
    id: 'upsample size bilinear align',
    kind: 'Upsample',
    params: { size: [20, 30], scale_factor: null, mode: 'bilinear', align_corners: true },
    inputs: [img(3, 7, 9)],
  },
  {
    id: 'upsample x1.5 bilinear',
    kind: 'Upsample',
    params: { scale_factor: 1.5, mode: 'bilinear' },
    inputs: [img(2, 5)],
  },
  // normalisation
  { id: 'bn1d vector', kind: 'BatchNorm1d', params: {}, inputs: [[32]] },
  { id: 'bn1d C x L', kind: 'BatchNorm1d', params: {}, inputs: [[8, 20]] },
  { id: 'bn1d eps momentum', kind: 'BatchNorm1d', params: { eps: 1e-3, momentum: 0.2 }, inputs: [[10]] },
  { id: 'bn2d', kind: 'BatchNorm2d', params: {}, inputs: [img(16, 8)] },
  { id: 'bn2d affine off', kind: 'BatchNorm2d', params: { affine: false }, inputs: [img(4, 3)] },
  {
    id: 'bn2d no running stats',
    kind: 'BatchNorm2d',
    params: { track_running_stats: false },
    inputs: [img(4, 3)],
  },
  { id: 'dropout 0.2', kind: 'Dropout', params: { p: 0.2 }, inputs: [[10]] },
  // activations
  { id: 'relu inplace', kind: 'ReLU', params: { inplace: true }, inputs: [img(3, 4)] },
  { id: 'leaky 0.2', kind: 'LeakyReLU', params: { negative_slope: 0.2 }, inputs: [img(3, 4)] },
  { id: 'sigmoid', kind: 'Sigmoid', params: {}, inputs: [[5]] },
  { id: 'tanh', kind: 'Tanh', params: {}, inputs: [img(2, 3)] },
  { id: 'softmax vector', kind: 'Softmax', params: {}, inputs: [[10]] },
  { id: 'softmax last dim', kind: 'Softmax', params: { dim: -1 }, inputs: [img(3, 4, 5)] },
  // linear and shape
  { id: 'linear 400 -> 120', kind: 'Linear', params: { out_features: 120 }, inputs: [[400]] },
  { id: 'linear no bias', kind: 'Linear', params: { out_features: 10, bias: false }, inputs: [[84]] },
  { id: 'flatten', kind: 'Flatten', params: {}, inputs: [img(16, 5)] },
  { id: 'flatten start 2', kind: 'Flatten', params: { start_dim: 2 }, inputs: [img(16, 5)] },
  { id: 'flatten end -2', kind: 'Flatten', params: { end_dim: -2 }, inputs: [img(4, 3, 2)] },
  { id: 'reshape -1 x 28 x 28', kind: 'Reshape', params: { shape: [-1, 28, 28] }, inputs: [[784]] },
  { id: 'reshape to vector', kind: 'Reshape', params: { shape: [-1] }, inputs: [img(16, 5)] },
  // merges, ends
  { id: 'add two', kind: 'Add', params: {}, inputs: [img(16, 8), img(16, 8)] },
  { id: 'add three vectors', kind: 'Add', params: {}, inputs: [[10], [10], [10]] },
  {
    id: 'concat inception',
    kind: 'Concat',
    params: {},
    inputs: [img(64, 28), img(128, 28), img(32, 28), img(32, 28)],
  },
  { id: 'concat vectors', kind: 'Concat', params: {}, inputs: [[10], [20]] },
  { id: 'input', kind: 'Input', params: { shape: [3, 32, 32] }, inputs: [] },
  { id: 'output', kind: 'Output', params: { num_classes: 10 }, inputs: [[10]] },
  // what PyTorch rejects, NeuroCanvas must reject too
  {
    id: 'reject: conv kernel > input',
    kind: 'Conv2d',
    params: { in_channels: 1, out_channels: 2, kernel_size: 5 },
    inputs: [img(1, 4)],
    rejects: true,
  },
  {
    id: 'reject: conv groups',
    kind: 'Conv2d',
    params: { in_channels: 16, out_channels: 32, groups: 3 },
    inputs: [img(16, 8)],
    rejects: true,
  },
  {
    id: 'reject: conv channels',
    kind: 'Conv2d',
    params: { in_channels: 3, out_channels: 6 },
    inputs: [img(1, 8)],
    rejects: true,
  },
  {
    id: 'reject: pool padding > half',
    kind: 'MaxPool2d',
    params: { kernel_size: 3, padding: 2 },
    inputs: [img(1, 8)],
    rejects: true,
  },
  {
    id: 'reject: avgpool window > input',
    kind: 'AvgPool2d',
    params: { kernel_size: 2 },
    inputs: [img(1, 1)],
    rejects: true,
  },
  {
    id: 'reject: convT output_padding >= stride',
    kind: 'ConvTranspose2d',
    params: { in_channels: 4, out_channels: 4, stride: 2, output_padding: 2 },
    inputs: [img(4, 5)],
    rejects: true,
  },
  {
    id: 'reject: nearest align_corners',
    kind: 'Upsample',
    params: { align_corners: true },
    inputs: [img(3, 7)],
    rejects: true,
    torchText: "nn.Upsample(scale_factor=2.0, mode='nearest', align_corners=True)",
  },
  {
    id: 'reject: linear features',
    kind: 'Linear',
    params: { in_features: 256, out_features: 10 },
    inputs: [[400]],
    rejects: true,
  },
  {
    id: 'reject: bn2d channels',
    kind: 'BatchNorm2d',
    params: { num_features: 32 },
    inputs: [img(16, 4)],
    rejects: true,
  },
  {
    id: 'reject: reshape count',
    kind: 'Reshape',
    params: { shape: [3, 28, 28] },
    inputs: [[784]],
    rejects: true,
  },
  { id: 'reject: add shapes', kind: 'Add', params: {}, inputs: [img(16, 8), img(32, 8)], rejects: true },
  { id: 'reject: concat sizes', kind: 'Concat', params: {}, inputs: [img(16, 8), img(16, 4)], rejects: true },
];

interface TorchState {
  key: string;
  shape: number[];
  dtype: string;
  role: 'parameter' | 'buffer';
  min: number;
  max: number;
  numel: number;
}
interface TorchResult {
  id: string;
  output: number[] | null;
  error: string | null;
  state: TorchState[];
  params: number;
}

interface Ours {
  output?: Shape;
  code?: string;
  state: StateEntry[];
}

function ours(c: Case): Ours & { torch: string; params: Params } {
  const def = requireLayer(c.kind);
  const params = withDefaults(def.params, c.params);
  const result = def.infer(c.inputs, params);
  if (!result.ok)
    return { code: result.issue.code, state: [], torch: c.torchText ?? def.torch(params), params };
  return {
    output: result.output,
    state: def.state(result.resolved, c.inputs),
    torch: def.torch(result.resolved),
    params: result.resolved,
  };
}

const mine = new Map(CASES.map((c) => [c.id, ours(c)]));
const fromTorch = new Map<string, TorchResult>();
/** Why the oracle could not run; every test then fails with it (never skips). */
let oracleError: string | undefined;

function runOracle(): void {
  if (!existsSync(PYTHON))
    throw new Error(
      `PyTorch oracle: ${PYTHON} does not exist. Install Debian's python3-torch (apt-get install python3-torch); never pip.`,
    );
  const table = {
    cases: CASES.map((c) => ({
      id: c.id,
      kind: c.kind,
      torch: mine.get(c.id)!.torch,
      params: mine.get(c.id)!.params,
      inputs: c.inputs,
    })),
  };
  const run = spawnSync(PYTHON, [SCRIPT], {
    input: JSON.stringify(table),
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (run.error) throw new Error(`PyTorch oracle: could not run ${PYTHON} ${SCRIPT}: ${run.error.message}`);
  if (run.status !== 0)
    throw new Error(
      `PyTorch oracle: ${PYTHON} ${SCRIPT} exited ${run.status}${run.status === 3 ? ' (torch is not installed: apt-get install python3-torch)' : ''}: ${run.stderr}`,
    );
  const parsed = JSON.parse(run.stdout) as { torch: string; results: TorchResult[] };
  if (!parsed.torch.startsWith('1.13'))
    throw new Error(`PyTorch oracle: expected torch 1.13 (Debian python3-torch), found ${parsed.torch}`);
  for (const r of parsed.results) fromTorch.set(r.id, r);
}

beforeAll(() => {
  try {
    runOracle();
  } catch (error) {
    oracleError = (error as Error).message;
  }
}, 180_000);

/** PyTorch's answer for a case; fails the test with the reason when the oracle could not run. */
function torchResult(id: string): TorchResult {
  if (oracleError) throw new Error(oracleError);
  const t = fromTorch.get(id);
  if (!t) throw new Error(`PyTorch oracle gave no result for "${id}"`);
  return t;
}

describe('the PyTorch oracle table', () => {
  it('runs: /usr/bin/python3 with torch 1.13', () => {
    expect(oracleError).toBeUndefined();
    expect(fromTorch.size).toBe(CASES.length);
  });

  it('covers every layer kind in the registry', () => {
    const kinds = new Set(CASES.filter((c) => !c.rejects).map((c) => c.kind));
    expect(LAYERS.map((d) => d.kind).filter((k) => !kinds.has(k))).toEqual([]);
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });
});

describe.each(CASES.filter((c) => !c.rejects).map((c) => [c.id, c] as const))('%s', (_id, c) => {
  it('output shape matches PyTorch', () => {
    const t = torchResult(c.id);
    const m = mine.get(c.id)!;
    expect(t.error, `PyTorch failed on ${m.torch}`).toBeNull();
    expect(m.code, 'NeuroCanvas reported a problem').toBeUndefined();
    expect(m.output).toEqual(t.output);
  });

  it('state_dict keys, shapes, dtypes, roles and parameter count match PyTorch', () => {
    const t = torchResult(c.id);
    const m = mine.get(c.id)!;
    // PyTorch's state_dict lists parameters, then buffers.
    const ordered = [
      ...m.state.filter((s) => s.role === 'parameter'),
      ...m.state.filter((s) => s.role === 'buffer'),
    ];
    expect(ordered.map((s) => ({ key: s.name, shape: [...s.shape], dtype: s.dtype, role: s.role }))).toEqual(
      t.state.map((s) => ({ key: s.key, shape: s.shape, dtype: s.dtype, role: s.role })),
    );
    const count = m.state.filter((s) => s.role === 'parameter').reduce((n, s) => n + numel(s.shape), 0);
    expect(count).toBe(t.params);
  });

  it('initial values fit our init (uniform within 1/sqrt(fan_in), ones, zeros)', () => {
    const t = torchResult(c.id);
    const m = mine.get(c.id)!;
    for (const s of m.state) {
      const got = t.state.find((x) => x.key === s.name);
      expect(got, s.name).toBeDefined();
      if (s.init.kind === 'uniform') {
        const bound = s.init.bound;
        expect(
          Math.max(Math.abs(got!.min), Math.abs(got!.max)),
          `${s.name} within ${bound}`,
        ).toBeLessThanOrEqual(bound * (1 + 1e-6));
        // With this many draws from U(-b, b), the extremes come close to the bound.
        if (got!.numel >= 64) expect(got!.max - got!.min, `${s.name} spread`).toBeGreaterThan(bound);
      } else {
        const value = s.init.kind === 'ones' ? 1 : 0;
        expect([got!.min, got!.max], s.name).toEqual([value, value]);
      }
    }
  });
});

describe.each(CASES.filter((c) => c.rejects).map((c) => [c.id, c] as const))('%s', (_id, c) => {
  it('PyTorch and NeuroCanvas both reject it', () => {
    const t = torchResult(c.id);
    expect(
      t.error,
      `PyTorch accepted ${mine.get(c.id)!.torch} with output ${JSON.stringify(t.output)}`,
    ).not.toBeNull();
    expect(mine.get(c.id)!.code, 'NeuroCanvas accepted it').toMatch(/^NC0\d\d$/);
  });
});
