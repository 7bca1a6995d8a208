// A class's constructor arguments: the numbers that differ between the groups it builds, named as PyTorch would.

import type { Dataflow } from './scopes.ts';
import { slotNumber } from './structure.ts';

/** One constructor argument. `param` is the layer parameter it ends up in, e.g. `out_channels`. */
export interface Arg {
  name: string;
  param: string;
  /** Channel and feature counts are passed by position; the rest by keyword. */
  positional: boolean;
  /** PyTorch's default for `param`, where it has one (stride 1, padding 0, ...). */
  default?: number;
}

/** Where a numeric parameter inside a class comes from: an argument (by index) or a literal. */
export type SlotSource = { arg: number } | { value: number };

/** One number in a group: `blk.conv1|in_channels` (a layer parameter) or `blk.branch1|@out_channels` (a class argument). */
export interface Slot {
  value: number;
  param: string;
}

/** How a child group is written, so that slots can look inside it or at its class's arguments. */
export interface ChildClasses {
  isSequential(groupId: string): boolean;
  argsOf(groupId: string): { args: Arg[]; values: number[] };
}

const CHANNELS = new Set(['in_channels', 'out_channels', 'num_features', 'in_features', 'out_features']);
const DEFAULTS: Record<string, number> = { stride: 1, padding: 0, dilation: 1, groups: 1 };

/** Every number of group `groupId` that a class could take as an argument, keyed by where it sits. */
export function slotsOf(
  flow: Dataflow,
  children: ChildClasses,
  groupId: string,
  prefix = '',
  out = new Map<string, Slot>(),
): Map<string, Slot> {
  for (const step of flow.scopes.get(groupId)!.steps) {
    const name = step.child.name;
    if (step.kind === 'layer') {
      for (const [param, value] of Object.entries(flow.params.get(step.child.id)!)) {
        const n = slotNumber(value);
        if (n !== undefined) out.set(`${prefix}${name}|${param}`, { value: n, param });
      }
    } else if (step.kind === 'group') {
      if (children.isSequential(step.child.id))
        slotsOf(flow, children, step.child.id, `${prefix}${name}.`, out);
      else {
        const { args, values } = children.argsOf(step.child.id);
        args.forEach((arg, i) => {
          out.set(`${prefix}${name}|@${arg.name}`, { value: values[i]!, param: arg.param });
        });
      }
    }
  }
  return out;
}

export interface ArgumentPlan {
  args: Arg[];
  /** Per member, the value of each argument. */
  values: number[][];
  slots: Map<string, SlotSource>;
}

/**
 * Arguments for a class built by `members` (slot maps, the template's first): a slot that is the same in every
 * member stays a literal; slots that vary together share one argument. Names come from the block preset's
 * parameters where one matches (`in_channels`, `width`, `ch3x3`), else from the layer parameter. With
 * `channelsAlways`, channel counts are arguments even where every member agrees (so that a condition can
 * compare them). Returns null when an argument would only exist for some members (a slot of an optional
 * child that no other slot explains).
 */
export function planArguments(
  members: Map<string, Slot>[],
  blockParams: Record<string, number>[] | null,
  channelsAlways = false,
): ArgumentPlan | null {
  const args: Arg[] = [];
  const vectors: (number | undefined)[][] = [];
  const slots = new Map<string, SlotSource>();
  const taken = new Set<string>();
  for (const [id, slot] of members[0]!) {
    const vector = members.map((m) => m.get(id)?.value);
    const defined = new Set(vector.filter((v) => v !== undefined));
    const holes = defined.size > 0 && vector.includes(undefined);
    const known = vectors.findIndex((av) => vector.every((v, i) => v === undefined || av[i] === v));
    // NOTE: an optional child's number that an argument explains reads as that argument (`stride=stride`),
    // even when every member that has the child happens to agree on it.
    if (known >= 0 && (holes || defined.size > 1)) {
      slots.set(id, { arg: known });
      continue;
    }
    if (defined.size <= 1 && !(channelsAlways && CHANNELS.has(slot.param))) {
      slots.set(id, { value: slot.value });
      continue;
    }
    if (known >= 0) {
      slots.set(id, { arg: known });
      continue;
    }
    if (vector.some((v) => v === undefined)) return null;
    const blockName = blockParams
      ? Object.keys(blockParams[0]!).find((q) => blockParams.every((p, i) => p[q] === vector[i]))
      : undefined;
    let name = blockName ?? slot.param;
    if (taken.has(name)) {
      const child = id.split('|')[0]!.split('.').pop()!;
      name =
        /^[A-Za-z_]/.test(child) && !taken.has(`${child}_${slot.param}`) ? `${child}_${slot.param}` : name;
      for (let k = 2; taken.has(name); k++) name = `${slot.param}_${k}`;
    }
    taken.add(name);
    slots.set(id, { arg: args.length });
    args.push({
      name,
      param: slot.param,
      positional: CHANNELS.has(slot.param),
      ...(slot.param in DEFAULTS ? { default: DEFAULTS[slot.param]! } : {}),
    });
    vectors.push(vector);
  }
  return { args, values: members.map((_, i) => vectors.map((v) => v[i]!)), slots };
}

/**
 * The condition under which an optional child exists, from the arguments: the tests `arg != default` and
 * `a != b` that never hold when it is absent, joined with `or`, if together they hold whenever it is present.
 * For a ResNet block this finds torchvision's `stride != 1 or in_channels != out_channels`.
 */
export function presenceCondition(plan: ArgumentPlan, present: boolean[]): string | null {
  const { args, values } = plan;
  const atoms: { text: string; holds: (row: number[]) => boolean }[] = [];
  args.forEach((arg, a) => {
    if (arg.default !== undefined)
      atoms.push({ text: `${arg.name} != ${arg.default}`, holds: (row) => row[a] !== arg.default });
  });
  args.forEach((first, a) => {
    args.forEach((second, b) => {
      if (b > a && first.positional && second.positional)
        atoms.push({ text: `${first.name} != ${second.name}`, holds: (row) => row[a] !== row[b] });
    });
  });
  const sufficient = atoms
    .filter((atom) => values.every((row, i) => !atom.holds(row) || present[i]))
    .filter((atom) => values.some((row) => atom.holds(row)))
    .slice(0, 3);
  if (sufficient.length === 0) return null;
  const explained = values.every((row, i) => !present[i] || sufficient.some((atom) => atom.holds(row)));
  return explained ? sufficient.map((atom) => atom.text).join(' or ') : null;
}

/** Arguments in Python order: positional ones, then keywords without a default, then those with one. */
export function signatureOrder(args: readonly Arg[]): number[] {
  const rank = (a: Arg) => (a.positional ? 0 : a.default === undefined ? 1 : 2);
  return args.map((_, i) => i).sort((x, y) => rank(args[x]!) - rank(args[y]!) || x - y);
}
