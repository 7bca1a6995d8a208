// compile(graph, batchSize): lowers each layer (its `lower` in engine/layers) to primitive ops in
// topological order with static shapes, adds the tape, the optimizer updates and the buffer plan.

import { analyze } from '../graph/analyze.ts';
import type { Problem } from '../graph/problem.ts';
import { stateDictKeys } from '../graph/state-dict.ts';
import type { Graph } from '../graph/types.ts';
import { layerDef } from '../layers/registry.ts';
import type { Lowering, Value } from './lowering.ts';
import { ProgramBuilder } from './lowering.ts';
import { randomStream } from './op-numerics.ts';
import { type Shape, UPDATE_STATE, type UpdateName } from './ops.ts';
import { planBuffers } from './plan.ts';
import { type Program, type StateTensor, storageOf, type TensorId, type UpdateStep } from './program.ts';
import { buildTape } from './tape.ts';

export interface CompileOptions {
  /** 'train' (default): tape, gradients and optimizer state. 'eval': inference only. */
  mode?: 'train' | 'eval';
  /** Which optimizer's state to allocate in train mode (SGD: momentum buffers; Adam/AdamW: moments). */
  optimizer?: UpdateName | null;
  /** Node ids whose outputs stay readable after a step (feature maps); others share memory. */
  keep?: readonly string[];
  /** false gives every transient tensor its own buffer (for debugging the plan). Default true. */
  reuse?: boolean;
}

/** A graph that cannot be compiled; `problems` holds validation's errors when that is why. */
export class CompileError extends Error {
  constructor(
    message: string,
    readonly problems: readonly Problem[] = [],
  ) {
    super(message);
    this.name = 'CompileError';
  }
}

const sameShape = (a: Shape, b: Shape) => a.length === b.length && a.every((d, i) => d === b[i]);

export function compile(graph: Graph, batchSize: number, options: CompileOptions = {}): Program {
  const mode = options.mode ?? 'train';
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new CompileError(`batch size must be a positive integer, got ${batchSize}`);
  const analysis = analyze(graph);
  const errors = analysis.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0)
    throw new CompileError(`the graph has ${errors.length} problem(s): ${errors[0]!.message}`, errors);
  const inputs = graph.nodes.filter((n) => n.kind === 'Input');
  const outputs = graph.nodes.filter((n) => n.kind === 'Output');
  if (inputs.length !== 1 || outputs.length !== 1)
    throw new CompileError(
      `training needs exactly one Input and one Output node; the graph has ${inputs.length} and ${outputs.length}`,
    );

  // Only what leads to the Output is lowered (validation warns about the rest).
  const sources = new Map<string, { source: string; port: number }[]>();
  for (const e of graph.edges) sources.set(e.target, [...(sources.get(e.target) ?? []), e]);
  const reached = new Set<string>([outputs[0]!.id]);
  const stack = [outputs[0]!.id];
  while (stack.length)
    for (const e of sources.get(stack.pop()!) ?? [])
      if (!reached.has(e.source)) {
        reached.add(e.source);
        stack.push(e.source);
      }

  const b = new ProgramBuilder();
  const state: StateTensor[] = [];
  const stateOf = new Map<string, Map<string, Value>>();
  for (const entry of stateDictKeys(analysis)) {
    const v = b.tensor({
      name: entry.key,
      shape: entry.shape,
      dtype: entry.dtype === 'int64' ? 'int32' : 'float32',
      role: entry.role,
      persistent: true,
      key: entry.key,
    });
    state.push({ key: entry.key, tensor: v.id, role: entry.role, init: entry.init, torchDtype: entry.dtype });
    if (!stateOf.has(entry.nodeId)) stateOf.set(entry.nodeId, new Map());
    stateOf.get(entry.nodeId)!.set(entry.name, v);
  }
  const inputShape = analysis.nodes.get(inputs[0]!.id)!.output!;
  const batch = b.tensor({
    name: 'batch',
    shape: [batchSize, ...inputShape],
    dtype: 'float32',
    role: 'batch',
    persistent: true,
  });
  const labels = b.tensor({
    name: 'labels',
    shape: [batchSize],
    dtype: 'int32',
    role: 'labels',
    persistent: true,
  });

  const nodesById = new Map(graph.nodes.map((n) => [n.id, n]));
  const paths = new Map<string, string>();
  const walk = (t: typeof analysis.tree) => {
    if (t.type === 'layer') paths.set(t.id, t.path);
    for (const c of t.children) walk(c);
  };
  walk(analysis.tree);
  const outputsOf = new Map<string, Value>();
  let declared: { loss: Value; correct: Value; logits: Value } | undefined;
  const random: { key: Value | null } = { key: null };

  for (const id of analysis.order) {
    if (!reached.has(id)) continue;
    const node = nodesById.get(id)!;
    const info = analysis.nodes.get(id)!;
    const def = layerDef(node.kind)!;
    const path = paths.get(id) ?? node.name;
    if (!def.lower)
      throw new CompileError(
        `${path} (${node.kind}) cannot be trained yet: the engine has no ops for ${node.kind}`,
      );
    const ports = [...(sources.get(id) ?? [])].sort((x, y) => x.port - y.port);
    const lowering: Lowering = {
      inputs: ports.map((e) => outputsOf.get(e.source)!),
      batchSize,
      output: info.output!,
      state(name) {
        const v = stateOf.get(id)?.get(name);
        if (!v) throw new Error(`${path} has no state entry "${name}"`);
        return v;
      },
      batch: () => batch,
      labels: () => labels,
      op: (op, attrs, opInputs) => b.op(op, attrs, opInputs, id, path),
      view: (x, shape) => b.view(x, shape, `${path}:view`),
      loss(loss, correct, logits) {
        declared = { loss, correct, logits };
      },
      random() {
        if (mode === 'eval') return null;
        random.key ??= b.tensor({
          name: 'random key',
          shape: [2],
          dtype: 'int32',
          role: 'randomKey',
          persistent: true,
        });
        return { key: random.key, stream: randomStream(path) };
      },
    };
    const out = def.lower(lowering, info.resolved!);
    if (!sameShape(out.shape, [batchSize, ...info.output!]))
      throw new Error(
        `${path} lowered to shape (${out.shape.join(', ')}), expected (${batchSize}, ${info.output!.join(', ')})`,
      );
    outputsOf.set(id, out);
  }
  if (!declared) throw new CompileError('the Output layer declared no loss');
  const { loss, correct, logits } = declared;
  for (const id of [
    loss.id,
    correct.id,
    logits.id,
    ...(options.keep ?? []).flatMap((n) => outputsOf.get(n)?.id ?? []),
  ])
    b.tensors[storageOf(b, id)]!.persistent = true;

  const constants: { tensor: TensorId; value: number }[] = [];
  let tape: ReturnType<typeof buildTape> | undefined;
  const updates: UpdateStep[] = [];
  const optimizer = mode === 'train' ? (options.optimizer ?? null) : null;
  if (mode === 'train') {
    const seed = b.tensor({
      name: 'grad(loss)',
      shape: [1],
      dtype: 'float32',
      role: 'constant',
      persistent: true,
    });
    constants.push({ tensor: seed.id, value: 1 });
    tape = buildTape(b, loss.id, seed.id);
    for (const entry of state) {
      const grad = tape.parameterGrads.get(entry.tensor);
      if (grad === undefined) continue;
      const slots: Record<string, TensorId> = {};
      for (const name of optimizer ? UPDATE_STATE[optimizer] : [])
        slots[name] = b.tensor({
          name: `${entry.key}:${name}`,
          shape: b.tensors[entry.tensor]!.shape,
          dtype: 'float32',
          role: 'optimizerState',
          persistent: true,
          key: entry.key,
        }).id;
      updates.push({ key: entry.key, param: entry.tensor, grad, state: slots });
    }
  }
  const backward = tape?.backward ?? [];
  return {
    mode,
    batchSize,
    tensors: b.tensors,
    forward: b.forward,
    backward,
    optimizer,
    updates,
    state,
    constants,
    batch: batch.id,
    labels: labels.id,
    logits: logits.id,
    loss: loss.id,
    correct: correct.id,
    nodeOutputs: new Map([...outputsOf].map(([k, v]) => [k, v.id])),
    randomKey: random.key?.id ?? null,
    plan: planBuffers(b.tensors, b.forward, backward, options.reuse ?? true),
  };
}
