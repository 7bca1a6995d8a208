// A program of one op, with every tensor readable: what op tests run on each backend against fixtures.

import { ProgramBuilder, type Value } from './lowering.ts';
import { OPS } from './op-rules.ts';
import type { OpAttrs, OpGrads, OpInputs, OpName, OpSaved, Shape } from './ops.ts';
import { planBuffers } from './plan.ts';
import type { ProgramCore, TensorId } from './program.ts';
import { buildTape } from './tape.ts';

export interface OpProgram<K extends OpName> extends ProgramCore {
  inputs: OpInputs<TensorId>[K];
  output: TensorId;
  saved: OpSaved<TensorId>[K];
  /** Written by the caller before backward: the upstream gradient. */
  gradOutput: TensorId;
  /** Gradient of each differentiable float input. */
  grads: OpGrads<TensorId>[K];
}

/** Compiles `op` on inputs of the given shapes (batch included); the backward exists if the op has one. */
export function compileOp<K extends OpName>(
  op: K,
  attrs: OpAttrs[K],
  shapes: OpInputs<Shape>[K],
): OpProgram<K> {
  const rule = OPS[op];
  const ints = new Set<string>((rule.intInputs ?? []) as readonly string[]);
  const differentiable = new Set<string>(rule.differentiable as readonly string[]);
  const b = new ProgramBuilder();
  const leaf = (name: string, shape: Shape): Value =>
    b.tensor({
      name,
      shape,
      dtype: ints.has(name.split('.')[0]!) ? 'int32' : 'float32',
      role: differentiable.has(name.split('.')[0]!) ? 'parameter' : 'buffer',
      persistent: true,
    });
  const values: Record<string, Value | Value[]> = {};
  for (const [name, shape] of Object.entries(shapes)) {
    if (shape === undefined) continue;
    values[name] =
      name === 'xs' ? (shape as Shape[]).map((s, i) => leaf(`xs.${i}`, s)) : leaf(name, shape as Shape);
  }
  const output = b.op(op, attrs, values as unknown as OpInputs<Value>[K], op, op);
  const gradOutput = b.tensor({
    name: 'gradOutput',
    shape: output.shape,
    dtype: 'float32',
    role: 'constant',
    persistent: true,
  });
  const tape = rule.differentiable.length > 0 ? buildTape(b, output.id, gradOutput.id) : undefined;
  for (const t of b.tensors) t.persistent = true;
  const step = b.forward[0]!;
  const grads: Record<string, TensorId | (TensorId | undefined)[]> = {};
  const gradOf = (v: Value) => tape?.parameterGrads.get(v.id);
  for (const [name, v] of Object.entries(values)) {
    if (Array.isArray(v)) grads[name] = v.map(gradOf);
    else if (gradOf(v) !== undefined) grads[name] = gradOf(v)!;
  }
  const backward = tape?.backward ?? [];
  return {
    tensors: b.tensors,
    forward: b.forward,
    backward,
    optimizer: null,
    updates: [],
    constants: [],
    plan: planBuffers(b.tensors, b.forward, backward),
    inputs: step.inputs as OpInputs<TensorId>[K],
    output: output.id,
    saved: step.saved as OpSaved<TensorId>[K],
    gradOutput: gradOutput.id,
    grads: grads as unknown as OpGrads<TensorId>[K],
  };
}
