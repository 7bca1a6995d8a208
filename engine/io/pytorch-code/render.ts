// __init__ text: each child as an nn constructor, an inline nn.Sequential or a call of a generated class.

import { requireLayer } from '../../layers/registry.ts';
import type { Params } from '../../layers/types.ts';
import { signatureOrder } from './arguments.ts';
import type { ClassPlan, GroupClass } from './classes.ts';
import { indent, pyNumber, quote, register } from './python.ts';
import type { Dataflow, Step } from './scopes.ts';
import { slotNumber } from './structure.ts';

/** The argument name a number comes from inside the class being written, or undefined for a literal. */
export type Resolve = (slot: string) => string | undefined;

export const literal: Resolve = () => undefined;

/** Resolves slots through a class's plan. */
export function classResolver(made: GroupClass): Resolve {
  return (slot) => {
    const source = made.slots.get(slot);
    return source && 'arg' in source ? made.args[source.arg]!.name : undefined;
  };
}

/** The `__init__` lines registering a scope's children in module order. */
export function initLines(
  flow: Dataflow,
  plan: ClassPlan,
  scopeId: string,
  resolve: Resolve,
  optional: ReadonlyMap<string, string> = new Map(),
): string[] {
  const lines: string[] = [];
  for (const step of flow.scopes.get(scopeId)!.steps) {
    if (step.kind === 'add' || step.kind === 'concat') continue;
    const name = step.child.name;
    const condition = optional.get(name);
    // NOTE: __init__ statements sit 8 columns in (12 inside an if); the column decides where lines wrap.
    const line = condition ? 12 : 8;
    const text = childText(flow, plan, step, '', resolve, line, line + register(name, '').length);
    if (condition)
      lines.push(
        `if ${condition}:`,
        indent(register(name, text)),
        'else:',
        indent(register(name, 'nn.Identity()')),
      );
    else lines.push(register(name, text));
  }
  return lines;
}

/** A child's constructor text; `line` is the indentation of the line it starts on, `column` where it starts. */
function childText(
  flow: Dataflow,
  plan: ClassPlan,
  step: Step,
  prefix: string,
  resolve: Resolve,
  line: number,
  column: number,
): string {
  const id = step.child.id;
  const path = `${prefix}${step.child.name}`;
  if (step.kind === 'layer') {
    const text = wrap(layerText(flow, id, path, resolve), line, column);
    return flow.notInPlace.has(id) ? `${text}  ${NOT_IN_PLACE}` : text;
  }
  if (plan.sequential.has(id)) return sequentialText(flow, plan, id, `${path}.`, resolve, line);
  return wrap(callText(plan.classOf.get(id)!, id, `${path}|@`, resolve), line, column);
}

const WIDTH = 100;

const NOT_IN_PLACE = '# NOTE: not in place: its input is also read elsewhere';

/** Adds the comma that ends a Sequential item, before a trailing comment if there is one. */
function withComma(item: string): string {
  return item.endsWith(NOT_IN_PLACE) ? item.replace(`  ${NOT_IN_PLACE}`, `,  ${NOT_IN_PLACE}`) : `${item},`;
}

/** Breaks a call too long for its line after `(`, then, if still too long, after each argument. */
function wrap(call: string, line: number, column: number): string {
  if (column + call.length <= WIDTH || !call.endsWith(')')) return call;
  const open = call.indexOf('(');
  const head = call.slice(0, open + 1);
  const inside = call.slice(open + 1, -1);
  if (line + 4 + inside.length <= WIDTH) return `${head}\n    ${inside}\n)`;
  const args: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < inside.length; i++) {
    const c = inside[i]!;
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) {
      args.push(inside.slice(start, i).trim());
      start = i + 1;
    }
  }
  args.push(inside.slice(start).trim());
  return `${head}\n${args.map((a) => `    ${a},`).join('\n')}\n)`;
}

/** Values no real network uses, put in for arguments so the layer's own `torch()` text can carry names. */
const SENTINEL = 987_650_001;

/** The layer's constructor from its LayerDef, with argument names where the class takes the value. */
function layerText(flow: Dataflow, id: string, path: string, resolve: Resolve): string {
  const node = flow.nodes.get(id)!;
  const params: Record<string, Params[string]> = { ...flow.params.get(id)! };
  const names: [number, string][] = [];
  for (const [param, value] of Object.entries(params)) {
    if (slotNumber(value) === undefined) continue;
    const arg = resolve(`${path}|${param}`);
    if (!arg) continue;
    const sentinel = SENTINEL + names.length;
    params[param] = sentinel;
    names.push([sentinel, arg]);
  }
  let text = requireLayer(node.kind).torch(params);
  for (const [sentinel, arg] of names)
    text = text.replace(new RegExp(`(?<![\\w.])${sentinel}(?:\\.0)?(?![\\w.])`, 'g'), arg);
  return text;
}

function sequentialText(
  flow: Dataflow,
  plan: ClassPlan,
  id: string,
  prefix: string,
  resolve: Resolve,
  line: number,
): string {
  const steps = flow.scopes.get(id)!.steps;
  if (steps.length === 0) return 'nn.Sequential()';
  const inner = line + 4;
  if (steps.every((step, i) => step.child.name === String(i))) {
    const items = steps.map((step) => childText(flow, plan, step, prefix, resolve, inner, inner));
    return `nn.Sequential(\n${items.map((text) => withComma(indent(text))).join('\n')}\n)`;
  }
  const entries = steps.map((step) => {
    const key = `(${quote(step.child.name)}, `;
    const text = childText(flow, plan, step, prefix, resolve, inner, inner + key.length);
    return withComma(indent(`${key}${text})`).replace(`  ${NOT_IN_PLACE})`, `)  ${NOT_IN_PLACE}`));
  });
  return `nn.Sequential(OrderedDict([\n${entries.join('\n')}\n]))`;
}

/** `BasicBlock(64, 128, stride=2)`: positional channels, keywords for the rest, defaults left out. */
function callText(made: GroupClass, id: string, prefix: string, resolve: Resolve): string {
  const values = made.values.get(id)!;
  const parts: string[] = [];
  for (const i of signatureOrder(made.args)) {
    const arg = made.args[i]!;
    const name = resolve(`${prefix}${arg.name}`);
    if (arg.positional) parts.push(name ?? pyNumber(values[i]!));
    else if (name) parts.push(`${arg.name}=${name}`);
    else if (values[i] !== arg.default) parts.push(`${arg.name}=${pyNumber(values[i]!)}`);
  }
  return `${made.name}(${parts.join(', ')})`;
}

/** `def __init__(self, in_channels, out_channels, stride=1):` */
export function initSignature(made: GroupClass): string {
  const parts = signatureOrder(made.args).map((i) => {
    const arg = made.args[i]!;
    return arg.default === undefined ? arg.name : `${arg.name}=${pyNumber(arg.default)}`;
  });
  return `def __init__(${['self', ...parts].join(', ')}):`;
}
