// How a layer says which primitive ops it is made of: the Lowering a layer's `lower` receives, and the
// builder behind it that creates tensors and forward steps with static shapes.

import { OPS, type SavedSpec } from './op-rules.ts';
import type { OpAttrs, OpInputs, OpName, OpSaved, Shape } from './ops.ts';
import type { AnyForwardStep, ForwardStep, TensorId, TensorInfo } from './program.ts';

/** A tensor while lowering: its id and its shape with the batch. */
export interface Value {
  readonly id: TensorId;
  readonly shape: Shape;
}

/** What a layer's `lower(b, params)` may use; it returns the value of the layer's output. */
export interface Lowering {
  /** The layer's inputs, in port order. */
  readonly inputs: readonly Value[];
  readonly batchSize: number;
  /** The layer's output shape per sample (no batch), from shape propagation. */
  readonly output: Shape;
  /** One of the layer's state_dict entries by PyTorch name: `weight`, `running_mean`, ... */
  state(name: string): Value;
  /** The batch entering the network (Input layers). */
  batch(): Value;
  /** The batch's int32 class labels (Output layers). */
  labels(): Value;
  /** Emits one primitive op; returns its output. */
  op<K extends OpName>(op: K, attrs: OpAttrs[K], inputs: OpInputs<Value>[K]): Value;
  /** The same memory seen with another shape of equal size (flatten, reshape): no op, no copy. */
  view(x: Value, shape: Shape): Value;
  /** Declares the network's loss, correct count and logits (Output layers). */
  loss(loss: Value, correct: Value, logits: Value): void;
  /**
   * For layers that draw random numbers (Dropout): the program's random key, int32 (seed, step), and this
   * layer's stream (a hash of its module path). null in eval programs, which draw none.
   */
  random(): { key: Value; stream: number } | null;
}

function mapHandles<T, U>(record: object, f: (v: T) => U): Record<string, U | U[]> {
  const out: Record<string, U | U[]> = {};
  for (const [k, v] of Object.entries(record)) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? v.map((x: T) => f(x)) : f(v as T);
  }
  return out;
}

/** Accumulates tensors and forward steps for one program. */
export class ProgramBuilder {
  readonly tensors: TensorInfo[] = [];
  readonly forward: AnyForwardStep[] = [];

  tensor(fields: Omit<TensorInfo, 'id'>): Value {
    const info: TensorInfo = { id: this.tensors.length, ...fields };
    this.tensors.push(info);
    return { id: info.id, shape: info.shape };
  }

  value(id: TensorId): Value {
    return { id, shape: this.tensors[id]!.shape };
  }

  /** Adds a forward step; its output and saved tensors are new activations named after `name`. */
  op<K extends OpName>(
    op: K,
    attrs: OpAttrs[K],
    inputs: OpInputs<Value>[K],
    node: string,
    name: string,
  ): Value {
    const rule = OPS[op];
    const shapes = mapHandles<Value, Shape>(inputs, (v) => v.shape) as unknown as OpInputs<Shape>[K];
    this.checkDtypes(op, inputs);
    const outShape = rule.output(attrs, shapes);
    const output = this.tensor({
      name: `${name}:out`,
      shape: outShape,
      dtype: rule.outputDtype,
      role: 'activation',
      persistent: false,
    });
    const saved: Record<string, TensorId> = {};
    for (const [key, spec] of Object.entries(
      rule.saved(attrs, shapes, outShape) as Record<string, SavedSpec>,
    ))
      saved[key] = this.tensor({
        name: `${name}:${key}`,
        shape: spec.shape,
        dtype: spec.dtype,
        role: 'saved',
        persistent: false,
      }).id;
    const step: ForwardStep<K> = {
      op,
      attrs,
      inputs: mapHandles<Value, TensorId>(inputs, (v) => v.id) as unknown as OpInputs<TensorId>[K],
      output: output.id,
      saved: saved as unknown as OpSaved<TensorId>[K],
      node,
    };
    this.forward.push(step as unknown as AnyForwardStep);
    return output;
  }

  view(x: Value, shape: Shape, name: string): Value {
    const base = this.tensors[x.id]!;
    const size = (s: Shape) => s.reduce((a, b) => a * b, 1);
    if (size(shape) !== size(x.shape))
      throw new Error(
        `view of ${base.name} as (${shape.join(', ')}) changes its size (${x.shape.join(', ')})`,
      );
    return this.tensor({ name, shape, dtype: base.dtype, role: base.role, viewOf: x.id, persistent: false });
  }

  private checkDtypes<K extends OpName>(op: K, inputs: OpInputs<Value>[K]): void {
    const ints = new Set<string>((OPS[op].intInputs ?? []) as readonly string[]);
    for (const [key, v] of Object.entries(inputs)) {
      if (v === undefined) continue;
      for (const value of (Array.isArray(v) ? v : [v]) as Value[]) {
        const want = ints.has(key) ? 'int32' : 'float32';
        const got = this.tensors[value.id]!.dtype;
        if (got !== want) throw new Error(`${op} input ${key} must be ${want}, got ${got}`);
      }
    }
  }
}
