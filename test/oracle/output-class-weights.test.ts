// The Output layer's class_weights and label_smoothing against PyTorch: the loss, the gradient of the logits and of
// the Linear before it equal nn.CrossEntropyLoss(weight=..., label_smoothing=...) on the same logits, on the CPU
// reference and on WebGPU; and the loss_function() the exported model.py defines is that same loss.
// NOTE: fails, not skips, without /usr/bin/python3 and its torch or without an adapter (CI installs both).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../engine/compile/compile.ts';
import { cpuBackend } from '../../engine/cpu/backend.ts';
import { GraphBuilder } from '../../engine/graph/builder.ts';
import type { Graph } from '../../engine/graph/types.ts';
import { generateModelCode } from '../../engine/io/pytorch-code/index.ts';
import { loadState } from '../../engine/train/state.ts';
import { runBackward, runForward } from '../../engine/train/train-step.ts';
import { webgpuBackend } from '../../engine/webgpu/index.ts';
import { sharedRuntime } from '../gpu/fixture.ts';
import { expectClose } from '../support/fixtures.ts';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./output_class_weights.py', import.meta.url));
const FEATURES = 7;
const CLASSES = 5;
// Class 3 weighs 0 and class 4 is never a label: both still enter the smoothed term.
const CLASS_WEIGHTS = [1, 0.25, 2.5, 0, 1.75];
const LABEL_SMOOTHING = 0.15;
const LABELS = [0, 2, 2, 1, 3, 0];

interface TorchSide {
  state: Record<string, number[]>;
  images: number[];
  loss: number;
  exported_loss: number;
  exported_weight: number[];
  exported_label_smoothing: number;
  logits_grad: number[];
  grads: Record<string, number[]>;
}

function graph(): Graph {
  const b = new GraphBuilder();
  let x = b.layer('Input', { shape: [FEATURES] }, [], 'input');
  x = b.layer('Linear', { out_features: CLASSES }, [x], 'fc');
  b.layer(
    'Output',
    { num_classes: CLASSES, label_smoothing: LABEL_SMOOTHING, class_weights: CLASS_WEIGHTS },
    [x],
    'output',
  );
  return b.graph;
}

const folder = mkdtempSync(join(tmpdir(), 'nc-class-weights-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
const gpu = sharedRuntime();
let torch: TorchSide;

beforeAll(() => {
  const model = join(folder, 'model.py');
  writeFileSync(model, generateModelCode(graph()));
  const manifest = join(folder, 'manifest.json');
  writeFileSync(
    manifest,
    JSON.stringify({
      model,
      features: FEATURES,
      batch: LABELS.length,
      labels: LABELS,
      class_weights: CLASS_WEIGHTS,
      label_smoothing: LABEL_SMOOTHING,
    }),
  );
  const run = spawnSync(PYTHON, [SCRIPT, manifest], { encoding: 'utf8' });
  if (run.error) throw new Error(`could not run ${PYTHON} ${SCRIPT}: ${run.error.message}`);
  if (run.status !== 0) throw new Error(`${SCRIPT} failed (is python3-torch installed?):\n${run.stderr}`);
  torch = JSON.parse(run.stdout);
});

describe('Output class_weights + label_smoothing against nn.CrossEntropyLoss', () => {
  it("the exported model.py's loss_function() is that loss", () => {
    expect(torch.exported_weight).toEqual(CLASS_WEIGHTS);
    expect(torch.exported_label_smoothing).toBeCloseTo(LABEL_SMOOTHING, 12);
    expect(torch.exported_loss).toBe(torch.loss);
  });

  it.each(['CPU reference', 'WebGPU'])('loss and gradients on the %s', async (backend) => {
    const program = compile(graph(), LABELS.length, { optimizer: 'sgd' });
    const exec =
      backend === 'WebGPU' ? await webgpuBackend(await gpu()).bind(program) : await cpuBackend.bind(program);
    try {
      loadState(exec, new Map(Object.entries(torch.state).map(([k, v]) => [k, Float32Array.from(v)])));
      exec.write(program.batch, Float32Array.from(torch.images));
      exec.write(program.labels, Int32Array.from(LABELS));
      runForward(exec, true);
      runBackward(exec, true);
      expectClose('loss', await exec.read(program.loss), [torch.loss]);
      // NOTE: the logits' gradient is the last one the tape writes before the Linear's backward reads it, so its
      // planned slot still holds it when the step is done.
      const logitsGrad = program.tensors.findIndex((t) => t.name === 'grad(fc:out)');
      expect(logitsGrad, 'grad(fc:out) tensor').toBeGreaterThanOrEqual(0);
      expectClose('grad of the logits', await exec.read(logitsGrad), torch.logits_grad);
      for (const u of program.updates)
        expectClose(`grad ${u.key}`, await exec.read(u.grad), torch.grads[u.key]!);
      expect(program.updates.map((u) => u.key).sort()).toEqual(Object.keys(torch.grads).sort());
    } finally {
      exec.dispose();
    }
  });
});
