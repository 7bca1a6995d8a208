// Every primitive op on the CPU backend against PyTorch: outputs, updated state and gradients per fixture case.

import { describe, expect, it } from 'vitest';
import type { OpAttrs, OpName, Shape } from '../../engine/compile/ops.ts';
import type { TensorId } from '../../engine/compile/program.ts';
import { compileOp } from '../../engine/compile/single-op.ts';
import { cpuBackend } from '../../engine/cpu/backend.ts';
import { expectClose, loadFixture } from '../support/fixtures.ts';

interface OpCase {
  name: string;
  op: OpName;
  attrs: OpAttrs[OpName];
  training: boolean;
  inputs: Record<string, string | string[]>;
  output: string;
  gradOutput?: string;
  grads: Record<string, string | string[]>;
  after: Record<string, string>;
}

const fixture = loadFixture<{ cases: OpCase[] }>('ops');

/** Pairs each fixture tensor name with the program's tensor id for the same input or gradient. */
function pairs(
  names: Record<string, string | string[]>,
  ids: object,
): [string, string, TensorId | undefined][] {
  const byName = ids as Record<string, TensorId | (TensorId | undefined)[] | undefined>;
  return Object.entries(names).flatMap(([key, value]) =>
    Array.isArray(value)
      ? value.map((n, i): [string, string, TensorId | undefined] => [
          `${key}.${i}`,
          n,
          (byName[key] as (TensorId | undefined)[] | undefined)?.[i],
        ])
      : [[key, value, byName[key] as TensorId | undefined]],
  );
}

describe('CPU ops match PyTorch', () => {
  it('covers every op of the catalogue', async () => {
    const { OP_NAMES } = await import('../../engine/compile/op-rules.ts');
    const tested = new Set(fixture.meta.cases.map((c) => c.op));
    expect(OP_NAMES.filter((op) => !tested.has(op))).toEqual([]);
  });

  it.each(fixture.meta.cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const shapes: Record<string, Shape | Shape[]> = {};
    for (const [key, value] of Object.entries(c.inputs))
      shapes[key] = Array.isArray(value) ? value.map((n) => fixture.get(n).shape) : fixture.get(value).shape;
    const program = compileOp(c.op, c.attrs as never, shapes as never);
    const exec = await cpuBackend.bind(program);
    for (const [key, name, id] of pairs(c.inputs, program.inputs)) {
      expect(id, `input ${key}`).toBeDefined();
      exec.write(id!, fixture.get(name).data);
    }

    exec.forward(0, c.training);
    const expected = fixture.get(c.output);
    const output = await exec.read(program.output);
    if (expected.dtype === 'F32') expectClose(`${c.name} output`, output, expected.data);
    else expect(Array.from(output)).toEqual(Array.from(expected.data));
    for (const [key, name] of Object.entries(c.after)) {
      const id = (program.inputs as Record<string, TensorId>)[key]!;
      const ref = fixture.get(name);
      const value = await exec.read(id);
      if (ref.dtype === 'F32') expectClose(`${c.name} ${key} after forward`, value, ref.data);
      else expect(Array.from(value), `${c.name} ${key}`).toEqual(Array.from(ref.data));
    }

    if (!c.gradOutput) return;
    exec.write(program.gradOutput, fixture.get(c.gradOutput).data);
    expect(program.backward.length).toBe(1);
    exec.backward(0, c.training);
    const gradPairs = pairs(c.grads, program.grads);
    const computed = pairs(program.grads as Record<string, never>, program.grads).length;
    expect(gradPairs.length, 'gradients computed vs in the fixture').toBeGreaterThan(0);
    expect(computed).toBeGreaterThanOrEqual(gradPairs.length);
    for (const [key, name, id] of gradPairs) {
      expect(id, `gradient of ${key}`).toBeDefined();
      expectClose(`${c.name} grad ${key}`, await exec.read(id!), fixture.get(name).data);
    }
  });
});
