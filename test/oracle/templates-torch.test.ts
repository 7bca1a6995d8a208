// Every template against PyTorch: state_dict keys in order, shapes, dtypes, parameter totals and layer output shapes.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { modulePaths } from '../../engine/graph/modules.ts';
import { stateDictKeys } from '../../engine/graph/state-dict.ts';
import { checkedAnalysis, TEMPLATES } from '../../templates/catalog.ts';

const PYTHON = '/usr/bin/python3';
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'torchvision_state.py');

interface TorchModel {
  state: [key: string, shape: number[], dtype: string][];
  params: number;
  input: number[];
  /** Output shape of each leaf module (first call), by module path. */
  outputs: Record<string, number[]>;
  logits: number[];
}

type Oracle = { torch: string; torchvision: string; models: Record<string, TorchModel> };
let cached: Oracle | Error | undefined;

/**
 * Runs the Python oracle once. NOTE: no skip when PyTorch is missing: CI installs python3-torch and
 * python3-torchvision, so a missing one is a broken environment, and every test here fails saying so.
 */
function oracle(): Oracle {
  cached ??= runOracle();
  if (cached instanceof Error) throw cached;
  return cached;
}

function runOracle(): Oracle | Error {
  if (!existsSync(PYTHON))
    return new Error(
      `${PYTHON} not found: the PyTorch oracle needs Debian's python3 with python3-torch and python3-torchvision (apt-get install python3-torch python3-torchvision).`,
    );
  const run = spawnSync(PYTHON, [SCRIPT], {
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

describe('templates against torch and torchvision', () => {
  it('the oracle covers exactly the catalogue', () => {
    expect(Object.keys(oracle().models).sort()).toEqual(TEMPLATES.map((t) => t.id).sort());
  });

  for (const template of TEMPLATES)
    describe(template.id, () => {
      const graph = template.build();
      const analysis = checkedAnalysis(template, graph);

      it('has the same state_dict keys, in order, with the same shapes and dtypes', () => {
        const ours = stateDictKeys(analysis).map((k) => `${k.key} ${JSON.stringify(k.shape)} ${k.dtype}`);
        const theirs = oracle().models[template.id]!.state.map(
          ([key, shape, dtype]) => `${key} ${JSON.stringify(shape)} ${dtype}`,
        );
        expect(ours).toEqual(theirs);
      });

      it('has the same parameter total', () => {
        expect(analysis.total.params).toBe(oracle().models[template.id]!.params);
      });

      it('gives every layer the output shape torch gives it, and the same logits', () => {
        const torch = oracle().models[template.id]!;
        const paths = modulePaths(graph);
        const input = graph.nodes.find((n) => n.kind === 'Input')!;
        expect(analysis.nodes.get(input.id)!.output).toEqual(torch.input);
        let compared = 0;
        for (const node of graph.nodes) {
          const info = analysis.nodes.get(node.id)!;
          const expected = torch.outputs[paths.get(node.id)!];
          if (info.state.length > 0 && !expected)
            throw new Error(`${paths.get(node.id)} has weights but torch has no leaf module there`);
          if (!expected) continue;
          expect({ path: paths.get(node.id), shape: info.output }).toEqual({
            path: paths.get(node.id),
            shape: expected,
          });
          compared++;
        }
        expect(compared).toBeGreaterThanOrEqual(Object.keys(torch.outputs).length * 0.8);
        const out = graph.nodes.find((n) => n.kind === 'Output')!;
        expect(analysis.nodes.get(out.id)!.output).toEqual(torch.logits);
      });
    });
});
