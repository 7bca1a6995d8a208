// The CLI's summary and validate commands, run in-process on small project files.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../cli/main.ts';
import { GraphBuilder } from '../../engine/graph/builder.ts';
import { newProject, serializeProject } from '../../engine/io/project/project.ts';

function lenet(broken: boolean): string {
  const b = new GraphBuilder();
  let x = b.layer('Input', { shape: [1, 28, 28] }, [], 'input');
  x = b.layer('Conv2d', { out_channels: 6, kernel_size: 5, padding: 2 }, [x], 'conv1');
  x = b.layer('ReLU', {}, [x]);
  x = b.layer('MaxPool2d', { kernel_size: 2 }, [x], 'pool1');
  x = b.layer('Conv2d', { out_channels: 16, kernel_size: 5 }, [x], 'conv2');
  x = b.layer('ReLU', {}, [x]);
  x = b.layer('MaxPool2d', { kernel_size: 2 }, [x], 'pool2');
  if (!broken) x = b.layer('Flatten', {}, [x], 'flatten');
  x = b.layer('Linear', { out_features: 120 }, [x], 'fc1');
  x = b.layer('ReLU', {}, [x]);
  x = b.layer('Linear', { out_features: 84 }, [x], 'fc2');
  x = b.layer('ReLU', {}, [x]);
  x = b.layer('Linear', { out_features: 10 }, [x], 'fc3');
  b.layer('Output', { num_classes: 10 }, [x], 'output');
  const dir = mkdtempSync(join(tmpdir(), 'nc-cli-'));
  const file = join(dir, broken ? 'broken.json' : 'lenet.json');
  writeFileSync(file, serializeProject(newProject('LeNet-5', b.graph)));
  return file;
}

async function run(argv: string[]): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const code = await main(argv, (line) => lines.push(line));
  return { code, text: lines.join('\n') };
}

describe('neurocanvas summary', () => {
  it('prints every layer with its shape, params and mult-adds, and the totals', async () => {
    const { code, text } = await run(['summary', lenet(false)]);
    expect(code).toBe(0);
    expect(text).toMatch(/conv1\s+Conv2d\s+\[-1, 6, 28, 28\]\s+156\s+117,600/);
    expect(text).toMatch(/fc1\s+Linear\s+\[-1, 120\]\s+48,120\s+48,000/);
    expect(text).toContain('Total params: 61,706');
    expect(text).toContain('Mult-adds per sample: 416,520');
  });

  it('takes another input size with --input; in_features auto follows it', async () => {
    const { code, text } = await run(['summary', lenet(false), '--input', '1,32,32']);
    expect(code).toBe(0);
    expect(text).toMatch(/conv1\s+Conv2d\s+\[-1, 6, 32, 32\]/);
    // 16 x 6 x 6 = 576 features now reach fc1: 576 * 120 + 120 parameters.
    expect(text).toMatch(/fc1\s+Linear\s+\[-1, 120\]\s+69,240/);
  });
});

describe('neurocanvas validate', () => {
  it('exits 0 on a valid graph and 1 with the problem and its fix on a broken one', async () => {
    expect((await run(['validate', lenet(false)])).code).toBe(0);
    const { code, text } = await run(['validate', lenet(true)]);
    expect(code).toBe(1);
    expect(text).toContain('NC005');
    expect(text).toContain('fix: Insert Flatten');
    expect(text).toContain('1 error');
  });

  it('answers a missing file or a bad --input with a usage error (exit 2)', async () => {
    expect((await run(['validate', '/nonexistent/graph.json'])).code).toBe(2);
    expect((await run(['summary', lenet(false), '--input', 'abc'])).code).toBe(2);
    expect((await run(['frobnicate'])).code).toBe(2);
  });
});
