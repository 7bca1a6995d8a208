// The shape of a group's code, numbers left out: two groups with one structure can share one Python class.

import type { Params, ParamValue } from '../../layers/types.ts';
import type { Dataflow, Scope } from './scopes.ts';

/**
 * A scope with values written as references: `i0` is the scope's first input, `c3.0` the first output of
 * child 3. Layers carry their kind and their non-numeric parameters; numbers become slots (see slotNumber).
 */
export interface Structure {
  children: { name: string; type: string; outputs: number }[];
  reads: string[][];
  returns: string[];
  inputs: number;
}

/** A parameter value a class can take as an argument: a number, or a square pair (3, 3) written as 3. */
export function slotNumber(value: ParamValue | undefined): number | undefined {
  if (typeof value === 'number') return value;
  if (Array.isArray(value) && value.length === 2 && value[0] === value[1] && typeof value[0] === 'number')
    return value[0];
  return undefined;
}

/** `Conv2d(bias=false,dilation=#,...)`: the kind and every parameter that is not a slot. */
export function layerType(kind: string, params: Params): string {
  const fixed = Object.keys(params)
    .sort()
    .map((name) => `${name}=${slotNumber(params[name]) === undefined ? JSON.stringify(params[name]) : '#'}`);
  return `${kind}(${fixed.join(',')})`;
}

/** The structure of `scope`; `typeOf` names a child group's type (its class or Sequential). */
export function structureOf(flow: Dataflow, scope: Scope, typeOf: (groupId: string) => string): Structure {
  const refs = new Map<string, string>();
  scope.inputs.forEach((value, k) => {
    refs.set(value, `i${k}`);
  });
  const children: Structure['children'] = [];
  const reads: string[][] = [];
  scope.steps.forEach((step, i) => {
    reads.push(step.inputs.map((v) => refs.get(v) ?? `?${v}`));
    const node = flow.nodes.get(step.child.id);
    const type =
      step.kind === 'group'
        ? typeOf(step.child.id)
        : step.kind === 'layer'
          ? layerType(node!.kind, flow.params.get(node!.id)!)
          : step.kind;
    children.push({ name: step.child.name, type, outputs: step.outputs.length });
    step.outputs.forEach((value, j) => {
      refs.set(value, `c${i}.${j}`);
    });
  });
  return {
    children,
    reads,
    returns: scope.outputs.map((v) => refs.get(v) ?? `?${v}`),
    inputs: scope.inputs.length,
  };
}

export function keyOf(structure: Structure): string {
  return JSON.stringify(structure);
}

/**
 * Children that could be left out as an identity, like a ResNet block's `downsample`: a module with one input
 * and one output, read exactly once, by an Add. Returns their indices.
 */
export function optionalCandidates(structure: Structure): number[] {
  const found: number[] = [];
  structure.children.forEach((child, i) => {
    if (child.type === 'add' || child.type === 'concat' || child.outputs !== 1) return;
    if (structure.reads[i]!.length !== 1) return;
    const ref = `c${i}.0`;
    const readers = structure.reads.flatMap((r, k) => r.filter((x) => x === ref).map(() => k));
    if (readers.length !== 1 || structure.returns.includes(ref)) return;
    if (structure.children[readers[0]!]!.type === 'add') found.push(i);
  });
  return found;
}

/** The structure with children `removed` replaced by identities: their readers read their input instead. */
export function without(structure: Structure, removed: ReadonlySet<number>): Structure {
  const renumber = new Map<number, number>();
  structure.children.forEach((_, i) => {
    if (!removed.has(i)) renumber.set(i, renumber.size);
  });
  const rewrite = (ref: string): string => {
    const match = /^c(\d+)\.(\d+)$/.exec(ref);
    if (!match) return ref;
    const i = Number(match[1]);
    if (removed.has(i)) return rewrite(structure.reads[i]![0]!);
    return `c${renumber.get(i)}.${match[2]}`;
  };
  return {
    children: structure.children.filter((_, i) => !removed.has(i)),
    reads: structure.reads.filter((_, i) => !removed.has(i)).map((r) => r.map(rewrite)),
    returns: structure.returns.map(rewrite),
    inputs: structure.inputs,
  };
}

/**
 * Does the scope run its children one after another, each reading only the one before (nn.Sequential)?
 * The first reads the scope's single input; the last gives its single output.
 */
export function isChain(scope: Scope): boolean {
  const { steps } = scope;
  if (steps.length === 0) return scope.inputs.length === 0 && scope.outputs.length === 0;
  if (scope.inputs.length !== 1 || scope.outputs.length !== 1) return false;
  let previous = scope.inputs[0]!;
  const readers = new Map<string, number>();
  for (const step of steps)
    for (const value of step.inputs) readers.set(value, (readers.get(value) ?? 0) + 1);
  for (const step of steps) {
    if (step.kind === 'add' || step.kind === 'concat') return false;
    if (step.inputs.length !== 1 || step.inputs[0] !== previous || step.outputs.length !== 1) return false;
    if (readers.get(previous) !== 1) return false;
    previous = step.outputs[0]!;
  }
  return scope.outputs[0] === previous;
}
