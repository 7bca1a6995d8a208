// The autograd tape: walks the forward steps backwards from the loss and emits one backward step per op
// on the path, with gradient tensors whose first contribution writes and later ones add.

import type { ProgramBuilder } from './lowering.ts';
import { OPS } from './op-rules.ts';
import type { OpName } from './ops.ts';
import type { AnyBackwardStep, BackwardStep, GradTarget, TensorId } from './program.ts';
import { storageOf } from './program.ts';

export interface Tape {
  backward: AnyBackwardStep[];
  /** Gradient tensor of each parameter that receives one. */
  parameterGrads: Map<TensorId, TensorId>;
}

/**
 * Builds the tape for `loss`, seeded with the tensor `seed` (dloss = 1).
 * NOTE: a tensor used twice (a residual's input feeding the conv path and the shortcut, or Add(x, x))
 * gets one gradient; the backward step that runs first writes it and every later one adds to it.
 * Views share their base's gradient memory, so the write-or-add decision is made per storage.
 */
export function buildTape(b: ProgramBuilder, loss: TensorId, seed: TensorId): Tape {
  const tensors = b.tensors;
  const needsGrad = new Set<TensorId>();
  for (const t of tensors) if (t.role === 'parameter' && t.dtype === 'float32') needsGrad.add(t.id);
  const requires = (id: TensorId) => needsGrad.has(storageOf(b, id));
  for (const step of b.forward) {
    const rule = OPS[step.op];
    const inputs = step.inputs as unknown as Record<string, TensorId | readonly TensorId[] | undefined>;
    const any = (rule.differentiable as readonly string[]).some((name) => {
      const v = inputs[name];
      return Array.isArray(v) ? v.some(requires) : v !== undefined && requires(v as TensorId);
    });
    if (any) needsGrad.add(step.output);
  }

  const gradOf = new Map<TensorId, TensorId>([[loss, seed]]);
  const written = new Set<TensorId>([storageOf(b, seed)]);
  const parameterGrads = new Map<TensorId, TensorId>();

  const gradTensor = (x: TensorId): TensorId => {
    const known = gradOf.get(x);
    if (known !== undefined) return known;
    const info = tensors[x]!;
    let g: TensorId;
    if (info.viewOf !== undefined) {
      const base = gradTensor(info.viewOf);
      g = b.view(b.value(base), info.shape, `grad(${info.name})`).id;
    } else if (info.role === 'parameter') {
      g = b.tensor({
        name: `grad(${info.name})`,
        shape: info.shape,
        dtype: 'float32',
        role: 'parameterGradient',
        persistent: true,
        ...(info.key !== undefined ? { key: info.key } : {}),
      }).id;
      parameterGrads.set(x, g);
    } else {
      g = b.tensor({
        name: `grad(${info.name})`,
        shape: info.shape,
        dtype: 'float32',
        role: 'gradient',
        persistent: false,
      }).id;
    }
    gradOf.set(x, g);
    return g;
  };
  const target = (x: TensorId): GradTarget => {
    const tensor = gradTensor(x);
    const root = storageOf(b, tensor);
    const accumulate = written.has(root);
    written.add(root);
    return { tensor, accumulate };
  };

  const backward: AnyBackwardStep[] = [];
  for (let i = b.forward.length - 1; i >= 0; i--) {
    const step = b.forward[i]!;
    const gradOutput = gradOf.get(step.output);
    if (gradOutput === undefined || !needsGrad.has(step.output)) continue;
    const inputs = step.inputs as unknown as Record<string, TensorId | readonly TensorId[] | undefined>;
    const grads: Record<string, GradTarget | (GradTarget | undefined)[]> = {};
    for (const name of OPS[step.op].differentiable as readonly string[]) {
      const v = inputs[name];
      if (Array.isArray(v)) grads[name] = v.map((x: TensorId) => (requires(x) ? target(x) : undefined));
      else if (v !== undefined && requires(v as TensorId)) grads[name] = target(v as TensorId);
    }
    const back: BackwardStep<OpName> = { ...step, forward: i, gradOutput, grads: grads as never };
    backward.push(back as AnyBackwardStep);
  }
  return { backward, parameterGrads };
}
