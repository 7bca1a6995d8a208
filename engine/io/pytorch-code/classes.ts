// Which groups become Python classes (one per kind of block, shared by every block of that shape), which
// stay inline nn.Sequential, and what arguments each class takes.

import { blockDef } from '../../graph/blocks/registry.ts';
import { isIndexName } from '../../graph/modules.ts';
import {
  type Arg,
  type ChildClasses,
  planArguments,
  presenceCondition,
  type SlotSource,
  slotsOf,
} from './arguments.ts';
import { pascalCase } from './python.ts';
import type { Dataflow } from './scopes.ts';
import { isChain, keyOf, optionalCandidates, type Structure, structureOf, without } from './structure.ts';

export interface GroupClass {
  name: string;
  /** The groups this class builds, in module order. */
  members: string[];
  /** A member that has every child; its code is the class's code. */
  template: string;
  /** Children some members lack (the identity stands in for them), with the condition for having them. */
  optional: Map<string, string>;
  args: Arg[];
  /** Argument values per member. */
  values: Map<string, number[]>;
  /** Where each number of the template comes from (see arguments.ts slotsOf). */
  slots: Map<string, SlotSource>;
  docstring: string | null;
  height: number;
}

export interface ClassPlan {
  /** Groups written inline as nn.Sequential. */
  sequential: Set<string>;
  classOf: Map<string, GroupClass>;
  /** Every class, each after the classes it uses. */
  classes: GroupClass[];
}

/** Plans the classes; `reserved` are names already in use (the model's class, helpers). */
export function planClasses(flow: Dataflow, reserved: Iterable<string>): ClassPlan {
  const order: string[] = [];
  const walk = (id: string) => {
    for (const step of flow.scopes.get(id)!.steps)
      if (step.kind === 'group') {
        order.push(step.child.id);
        walk(step.child.id);
      }
  };
  walk('');
  const height = new Map<string, number>();
  for (const id of [...order].reverse()) {
    const inner = flow.scopes
      .get(id)!
      .steps.filter((s) => s.kind === 'group')
      .map((s) => height.get(s.child.id)!);
    height.set(id, 1 + Math.max(0, ...inner));
  }
  const byHeight = [...order].sort((a, b) => height.get(a)! - height.get(b)!);
  // NOTE: a family of groups that cannot share one class is split by exact structure; parents are then
  // planned again, since their children's types changed. Splits only grow, so this ends.
  const split = new Set<string>();
  for (let round = 0; ; round++) {
    const { plan, splits } = planOnce(flow, byHeight, height, order, split);
    if (splits.length === 0 || round >= 8) {
      nameClasses(plan.classes, reserved);
      return plan;
    }
    for (const id of splits) split.add(id);
  }
}

function planOnce(
  flow: Dataflow,
  byHeight: string[],
  height: Map<string, number>,
  order: string[],
  split: Set<string>,
): { plan: ClassPlan; splits: string[] } {
  const type = new Map<string, string>();
  const structures = new Map<string, Structure>();
  const full = new Map<string, string>();
  const sequential = new Set<string>();
  for (let h = 1; byHeight.some((id) => height.get(id)! >= h); h++) {
    const level = byHeight.filter((id) => height.get(id) === h);
    const core = new Map<string, string>();
    const counts = new Map<string, number>();
    for (const id of level) {
      const structure = structureOf(flow, flow.scopes.get(id)!, (child) => type.get(child)!);
      structures.set(id, structure);
      full.set(id, keyOf(structure));
      core.set(id, keyOf(without(structure, new Set(optionalCandidates(structure)))));
      counts.set(full.get(id)!, (counts.get(full.get(id)!) ?? 0) + 1);
    }
    for (const id of level) {
      if (writtenInline(flow, id, counts.get(full.get(id)!)! > 1)) {
        sequential.add(id);
        type.set(id, `seq:${full.get(id)}`);
      } else type.set(id, `class:${split.has(id) ? full.get(id) : core.get(id)}`);
    }
  }

  const families = new Map<string, string[]>();
  for (const id of order)
    if (!sequential.has(id)) families.set(type.get(id)!, [...(families.get(type.get(id)!) ?? []), id]);
  const maxHeight = (ids: string[]) => Math.max(...ids.map((id) => height.get(id)!));
  const classOf = new Map<string, GroupClass>();
  const classes: GroupClass[] = [];
  const children: ChildClasses = {
    isSequential: (id) => sequential.has(id),
    argsOf: (id) => ({ args: classOf.get(id)!.args, values: classOf.get(id)!.values.get(id)! }),
  };
  const record = (made: GroupClass) => {
    classes.push(made);
    for (const id of made.members) classOf.set(id, made);
  };
  const splits: string[] = [];
  for (const members of [...families.values()].sort((a, b) => maxHeight(a) - maxHeight(b))) {
    const made = buildClass(flow, children, members, structures, full, maxHeight(members));
    if (made) {
      record(made);
      continue;
    }
    splits.push(...members);
    const exact = new Map<string, string[]>();
    for (const id of members) exact.set(full.get(id)!, [...(exact.get(full.get(id)!) ?? []), id]);
    for (const same of exact.values())
      record(buildClass(flow, children, same, structures, full, maxHeight(same))!);
  }
  classes.sort((a, b) => a.height - b.height || order.indexOf(a.members[0]!) - order.indexOf(b.members[0]!));
  return { plan: { sequential, classOf, classes }, splits };
}

/**
 * A chain of children is an inline nn.Sequential when they are numbered (torchvision's `downsample`,
 * `features`) or named once (DenseNet's `features`); a named chain that recurs (GoogLeNet's conv-bn-relu)
 * or comes from a block preset reads better as a class.
 */
function writtenInline(flow: Dataflow, id: string, recurs: boolean): boolean {
  const scope = flow.scopes.get(id)!;
  if (!isChain(scope)) return false;
  if (scope.steps.every((s) => isIndexName(s.child.name))) return true;
  if (flow.groups.get(id)?.block) return false;
  return !(recurs && scope.steps.every((s) => s.kind === 'layer'));
}

function buildClass(
  flow: Dataflow,
  children: ChildClasses,
  members: string[],
  structures: Map<string, Structure>,
  full: Map<string, string>,
  height: number,
): GroupClass | null {
  let template = members[0]!;
  const missing = new Map<string, Set<string>>();
  if (new Set(members.map((id) => full.get(id))).size > 1) {
    for (const id of members)
      if (structures.get(id)!.children.length > structures.get(template)!.children.length) template = id;
    const shape = structures.get(template)!;
    const candidates = new Set(optionalCandidates(shape));
    for (const id of members) {
      const names = new Set(structures.get(id)!.children.map((c) => c.name));
      const removed = new Set(shape.children.flatMap((c, i) => (names.has(c.name) ? [] : [i])));
      if ([...removed].some((i) => !candidates.has(i))) return null;
      if (keyOf(without(shape, removed)) !== full.get(id)) return null;
      missing.set(id, new Set([...removed].map((i) => shape.children[i]!.name)));
    }
  }
  const ordered = [template, ...members.filter((id) => id !== template)];
  const blocks = ordered.map((id) => flow.groups.get(id)?.block);
  const sameBlock = blocks.every((b) => b && b.kind === blocks[0]!.kind);
  const blockParams = sameBlock
    ? blocks.map(
        (b) =>
          Object.fromEntries(Object.entries(b!.params).filter(([, v]) => typeof v === 'number')) as Record<
            string,
            number
          >,
      )
    : null;
  const slots = ordered.map((id) => slotsOf(flow, children, id));
  // NOTE: a condition like `in_channels != out_channels` may need channel counts that every member shares.
  const attempt = (channelsAlways: boolean) => {
    const plan = planArguments(slots, blockParams, channelsAlways);
    if (!plan) return null;
    const optional = new Map<string, string>();
    for (const child of structures.get(template)!.children) {
      const present = ordered.map((id) => !missing.get(id)?.has(child.name));
      if (present.every(Boolean)) continue;
      const condition = presenceCondition(plan, present);
      if (!condition) return null;
      optional.set(child.name, condition);
    }
    return { plan, optional };
  };
  const made = attempt(false) ?? (missing.size > 0 ? attempt(true) : null);
  if (!made) return null;
  const { plan, optional } = made;
  const block = flow.groups.get(template)?.block;
  return {
    name: baseName(flow, template),
    members,
    template,
    optional,
    args: plan.args,
    values: new Map(ordered.map((id, i) => [id, plan.values[i]!])),
    slots: plan.slots,
    docstring: block ? (blockDef(block.kind)?.summary ?? null) : null,
    height,
  };
}

const SHORT: Record<string, string> = { BatchNorm1d: 'BN', BatchNorm2d: 'BN', Conv2d: 'Conv' };

/** `BasicBlock`, `Bottleneck`, `ConvBNReLU` (from a few layers in a row), or the group's name in PascalCase. */
function baseName(flow: Dataflow, id: string): string {
  const block = flow.groups.get(id)?.block;
  if (block?.kind === 'Residual') return block.params.style === 'chapter' ? 'ResBlk' : 'BasicBlock';
  if (block) return pascalCase(block.kind);
  const steps = flow.scopes.get(id)!.steps;
  if (steps.length >= 2 && steps.length <= 4 && steps.every((s) => s.kind === 'layer'))
    return steps
      .map((s) => {
        const kind = flow.nodes.get(s.child.id)!.kind;
        return SHORT[kind] ?? kind.replace(/[12]d$/, '');
      })
      .join('');
  const name = pascalCase(flow.scopes.get(id)!.tree.name.replace(/[\d_]+$/, ''));
  return /^[A-Za-z]/.test(name) ? name : 'Block';
}

function nameClasses(classes: GroupClass[], reserved: Iterable<string>): void {
  const taken = new Set(reserved);
  for (const made of classes) {
    let name = made.name;
    for (let k = 2; taken.has(name); k++) name = `${made.name}${k}`;
    made.name = name;
    taken.add(name);
  }
}
