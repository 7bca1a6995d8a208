// forward() text: the steps of a scope in dependency order, one statement each, with readable variable names.

import { attribute, isFreeName, isIdentifier } from './python.ts';
import type { Scope, Step } from './scopes.ts';

/**
 * Writes the forward body. A value read once flows on in the same variable (`x = self.conv1(x)`); a value
 * read twice stays in its variable, and what branches off it gets a name of its own: `out` for a chain
 * of steps, the child's name for a single step (`downsample`, `branch1`).
 */
export function forwardLines(scope: Scope, argumentNames: string[]): string[] {
  const live = liveSteps(scope);
  const uses = new Map<string, number>();
  const count = (value: string) => uses.set(value, (uses.get(value) ?? 0) + 1);
  for (const step of live) step.inputs.forEach(count);
  scope.outputs.forEach(count);
  const left = new Map(uses);
  const variable = new Map<string, string>();
  const holder = new Map<string, string>();
  scope.inputs.forEach((value, i) => {
    variable.set(value, argumentNames[i]!);
    holder.set(argumentNames[i]!, value);
  });
  const free = (name: string) => {
    const held = holder.get(name);
    return isFreeName(name) && (held === undefined || (left.get(held) ?? 0) === 0);
  };
  const fresh = (base: string) => {
    let name = base;
    for (let k = 2; !free(name); k++) name = `${base}_${k}`;
    return name;
  };

  const lines: string[] = [];
  for (const step of scope.steps)
    if (!live.includes(step) && step.kind !== 'add' && step.kind !== 'concat')
      lines.push(
        `# NOTE: ${attribute(step.child.name)} does not lead to the output, so forward does not call it.`,
      );
  const order = dependencyOrder(scope, live);
  for (const [index, step] of order.entries()) {
    const args = step.inputs.map((v) => variable.get(v)!);
    const name = step.child.name;
    const expression =
      step.kind === 'add'
        ? args.join(' + ')
        : step.kind === 'concat'
          ? `torch.cat([${args.join(', ')}], dim=1)`
          : `${attribute(name)}(${args.join(', ')})`;
    for (const v of step.inputs) left.set(v, left.get(v)! - 1);
    const merge = step.kind === 'add' || step.kind === 'concat';
    const [only] = step.outputs;
    if (
      merge &&
      index === order.length - 1 &&
      scope.outputs.length === 1 &&
      scope.outputs[0] === only &&
      uses.get(only!) === 1
    ) {
      lines.push(`return ${expression}`);
      return lines;
    }
    let targets: string[];
    if (step.outputs.length !== 1)
      targets = step.outputs.map((_, k) => fresh(`${variableName(name)}_${k + 1}`));
    else if (merge) {
      // The main line (`out`, or the forward's argument) carries the sum on; else a fresh `out`.
      const dying = step.inputs.filter((v) => left.get(v) === 0).map((v) => variable.get(v)!);
      const main = dying.find((n) => n === 'out' || argumentNames.includes(n));
      targets = [main ?? (free('out') ? 'out' : (dying[0] ?? fresh(variableName(name))))];
    } else if (step.inputs.length === 1 && uses.get(step.inputs[0]!) === 1)
      targets = [variable.get(step.inputs[0]!)!];
    else if (chainLength(step, live, uses) > 1 && free('out')) targets = ['out'];
    else targets = [fresh(variableName(name))];
    step.outputs.forEach((value, k) => {
      variable.set(value, targets[k]!);
      holder.set(targets[k]!, value);
    });
    if (step.outputs.length > 0) lines.push(`${targets.join(', ')} = ${expression}`);
    else lines.push(expression);
  }
  const results = scope.outputs.map((v) => variable.get(v)!);
  lines.push(results.length > 0 ? `return ${results.join(', ')}` : 'return None');
  return lines;
}

/** Steps whose results reach the scope's outputs, in registration order. */
function liveSteps(scope: Scope): Step[] {
  const needed = new Set(scope.outputs);
  const live = new Set<Step>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const step of scope.steps)
      if (!live.has(step) && step.outputs.some((v) => needed.has(v))) {
        live.add(step);
        for (const v of step.inputs) needed.add(v);
        grew = true;
      }
  }
  return scope.steps.filter((s) => live.has(s));
}

/** Registration order where it can be kept: each time, the first step whose inputs are ready. */
function dependencyOrder(scope: Scope, live: Step[]): Step[] {
  const ready = new Set(scope.inputs);
  const pending = [...live];
  const order: Step[] = [];
  while (pending.length > 0) {
    const next = pending.findIndex((s) => s.inputs.every((v) => ready.has(v)));
    if (next < 0)
      throw new Error(`cannot order the forward of ${scope.tree.path || 'the model'}: a value is missing`);
    const [step] = pending.splice(next, 1);
    order.push(step!);
    for (const v of step!.outputs) ready.add(v);
  }
  return order;
}

/** How many single-input steps run one after another from `step`, each reading only the previous one. */
function chainLength(step: Step, live: Step[], uses: Map<string, number>): number {
  let length = 1;
  let current = step;
  for (;;) {
    const [value] = current.outputs;
    if (current.outputs.length !== 1 || uses.get(value!) !== 1) return length;
    const next = live.find((s) => s.inputs.includes(value!));
    if (!next || next.kind === 'add' || next.kind === 'concat' || next.inputs.length !== 1) return length;
    length++;
    current = next;
  }
}

/** A variable name for a child's result: its own name where Python allows, `out0` for an index. */
export function variableName(name: string): string {
  if (isFreeName(name)) return name;
  if (isIdentifier(name)) return `${name}_`;
  const cleaned = name.replace(/\W/g, '_');
  return /^\d/.test(cleaned) ? `out${cleaned}` : cleaned || 'out';
}
