// Every primitive op on the CPU backend against PyTorch: outputs, updated state and gradients per fixture case.

import { describe, expect, it } from 'vitest';
import { cpuBackend } from '../../engine/cpu/backend.ts';
import { caseProgram, checkOpCase, loadOpFixture } from '../support/fixture-cases.ts';

const fixture = loadOpFixture();

describe('CPU ops match PyTorch', () => {
  it('covers every op of the catalogue', async () => {
    const { OP_NAMES } = await import('../../engine/compile/op-rules.ts');
    const tested = new Set(fixture.meta.cases.map((c) => c.op));
    expect(OP_NAMES.filter((op) => !tested.has(op))).toEqual([]);
  });

  it.each(fixture.meta.cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const program = caseProgram(c, fixture);
    await checkOpCase(c, fixture, program, await cpuBackend.bind(program));
  });
});
