// `neurocanvas export` and `neurocanvas parity` as processes (node cli/bin.mjs) on LeNet-5 and the chapter's
// ResNet: every exported file loads in torch 1.13, and parity finds the engine and model.py within 1e-4.
// NOTE: FAILS (does not skip) when /usr/bin/python3 or its torch is missing.

import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProject } from '../../cli/load.ts';
import { pythonClassName } from '../../engine/io/export.ts';
import { PYTHON, runInterop } from './interop-python.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'cli', 'bin.mjs');
const IDS = ['lenet5', 'resnet_chapter'];
const FORMATS = {
  pt: 'model.pt',
  py: 'model.py',
  safetensors: 'model.safetensors',
  checkpoint: 'checkpoint.pt',
};
const folder = mkdtempSync(join(tmpdir(), 'nc-interop-cli-'));
const run = promisify(execFile);

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}
async function neurocanvas(args: string[]): Promise<Result> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { cwd: ROOT, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

interface Files {
  weights_only: string;
  strict: string;
  safetensors_same: boolean;
  checkpoint_keys: string[];
  checkpoint_same: boolean;
  optimizer_loads: string;
}
const exports = new Map<string, Result>();
const parity = new Map<string, Result>();
let files: Record<string, Files>;

const template = (id: string) => join(ROOT, 'templates', `${id}.json`);
const out = (id: string, format: keyof typeof FORMATS) => join(folder, id, FORMATS[format]);

beforeAll(async () => {
  const cases: Record<string, unknown> = {};
  for (const id of IDS) {
    mkdirSync(join(folder, id));
    const runs = Object.keys(FORMATS).map(async (format) => {
      const path = out(id, format as keyof typeof FORMATS);
      exports.set(
        `${id} ${format}`,
        await neurocanvas(['export', template(id), '--format', format, '--out', path]),
      );
    });
    await Promise.all(runs);
    const project = loadProject(template(id));
    cases[id] = {
      pt: out(id, 'pt'),
      py: out(id, 'py'),
      safetensors: out(id, 'safetensors'),
      checkpoint: out(id, 'checkpoint'),
      class: pythonClassName(project.name),
      optimizer: (project.training ?? { optimizer: 'adam' }).optimizer,
    };
  }
  const checks = IDS.map(async (id) =>
    parity.set(
      id,
      await neurocanvas([
        'parity',
        template(id),
        '--weights',
        out(id, 'pt'),
        '--python',
        PYTHON,
        '--batch',
        '3',
      ]),
    ),
  );
  files = runInterop<Record<string, Files>>('files', { cases }, join(folder, 'job.json')).result;
  await Promise.all(checks);
}, 300_000);

afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe.each(IDS)('neurocanvas export and parity on %s', (id) => {
  it('exports every format as a process, atomically, and says what it wrote', () => {
    for (const format of Object.keys(FORMATS)) {
      const result = exports.get(`${id} ${format}`)!;
      expect(result.code, `${format}: ${result.stderr}`).toBe(0);
      expect(result.stdout).toContain(`wrote ${out(id, format as keyof typeof FORMATS)}`);
    }
  });

  it('the files load in torch: .pt with weights_only, model.py strictly, safetensors and checkpoint the same tensors', () => {
    const loaded = files[id]!;
    expect(loaded.weights_only).toBe('ok');
    expect(loaded.strict).toBe('ok');
    expect(loaded.safetensors_same).toBe(true);
    expect(loaded.checkpoint_keys).toEqual(['model', 'optimizer', 'epoch', 'step', 'settings']);
    expect(loaded.checkpoint_same).toBe(true);
    expect(loaded.optimizer_loads).toBe('ok');
  });

  it('parity: the engine and model.py agree within 1e-4', () => {
    const result = parity.get(id)!;
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const match = /max abs difference ([0-9.e+-]+)/.exec(result.stdout);
    expect(match, result.stdout).not.toBeNull();
    expect(Number(match![1])).toBeLessThan(1e-4);
    expect(result.stdout).toContain('parity: ok');
    console.log(`parity ${id}: ${result.stdout.trim().split('\n').join(' | ')}`);
  });
});
