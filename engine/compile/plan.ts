// The buffer plan: transient tensors (activations, saved tensors, activation gradients) share a few
// slots by liveness; persistent ones (parameters, gradients, state, batch, outputs) get their own.

import { OPS } from './op-rules.ts';
import {
  type AnyBackwardStep,
  type AnyForwardStep,
  type BufferPlan,
  idsOf,
  numel,
  storageOf,
  type TensorId,
  type TensorInfo,
} from './program.ts';

/** Bytes of a tensor; every dtype here is 4 bytes wide. */
export function bytesOf(t: TensorInfo): number {
  return numel(t.shape) * 4;
}

/** Tensors a forward step touches: its inputs, output and saved tensors. */
function forwardUses(step: AnyForwardStep): TensorId[] {
  return [...idsOf(step.inputs), step.output, ...idsOf(step.saved)];
}

/** Tensors a backward step touches: what its op reads, its saved tensors, and its gradients. */
function backwardUses(step: AnyBackwardStep): TensorId[] {
  const rule = OPS[step.op];
  const inputs = step.inputs as unknown as Record<string, unknown>;
  const reads = (rule.backwardReads as readonly string[]).flatMap((name) =>
    inputs[name] === undefined ? [] : idsOf({ [name]: inputs[name] }),
  );
  return [
    step.gradOutput,
    ...reads,
    ...(rule.backwardReadsOutput ? [step.output] : []),
    ...idsOf(step.saved),
    ...idsOf(step.grads),
  ];
}

/**
 * Assigns each transient storage to a slot: live from its first to its last use (forward step i at
 * time i, backward step j at time F + j). Storages whose lives do not overlap may share a slot;
 * the earliest-starting storage is placed first, into the smallest free slot that fits, else the
 * largest free slot (which grows), else a new slot. `reuse: false` gives every storage its own slot.
 */
export function planBuffers(
  tensors: readonly TensorInfo[],
  forward: readonly AnyForwardStep[],
  backward: readonly AnyBackwardStep[],
  reuse = true,
): BufferPlan {
  const program = { tensors };
  const ranges = liveRanges(tensors, forward, backward);

  let naiveBytes = 0;
  let persistentBytes = 0;
  const transient: TensorInfo[] = [];
  for (const t of tensors) {
    if (t.viewOf !== undefined) continue;
    if (t.persistent) persistentBytes += bytesOf(t);
    else {
      naiveBytes += bytesOf(t);
      transient.push(t);
    }
  }
  const startOf = (t: TensorInfo) => ranges.get(t.id)?.[0] ?? 0;
  transient.sort((a, b) => startOf(a) - startOf(b) || a.id - b.id);

  const slots: number[] = [];
  const freeAfter: number[] = [];
  const slotOf = tensors.map(() => -1);
  for (const t of transient) {
    const [start, end] = ranges.get(t.id) ?? [0, 0];
    const bytes = bytesOf(t);
    let chosen = -1;
    if (reuse) {
      let largest = -1;
      for (let s = 0; s < slots.length; s++) {
        if (freeAfter[s]! >= start) continue;
        if (slots[s]! >= bytes && (chosen < 0 || slots[s]! < slots[chosen]!)) chosen = s;
        if (largest < 0 || slots[s]! > slots[largest]!) largest = s;
      }
      if (chosen < 0) chosen = largest;
    }
    if (chosen < 0) {
      chosen = slots.length;
      slots.push(0);
      freeAfter.push(-1);
    }
    slots[chosen] = Math.max(slots[chosen]!, bytes);
    freeAfter[chosen] = end;
    slotOf[t.id] = chosen;
  }
  for (const t of tensors) if (t.viewOf !== undefined) slotOf[t.id] = slotOf[storageOf(program, t.id)]!;
  const plannedBytes = slots.reduce((a, b) => a + b, 0);
  return { slots, slotOf, plannedBytes, naiveBytes, persistentBytes };
}

/** The first and last step each transient storage is used at (for tests and tools). */
export function liveRanges(
  tensors: readonly TensorInfo[],
  forward: readonly AnyForwardStep[],
  backward: readonly AnyBackwardStep[],
): Map<TensorId, [number, number]> {
  const ranges = new Map<TensorId, [number, number]>();
  const use = (id: TensorId, time: number) => {
    const root = storageOf({ tensors }, id);
    if (tensors[root]!.persistent) return;
    const r = ranges.get(root);
    if (r) r[1] = Math.max(r[1], time);
    else ranges.set(root, [time, time]);
  };
  forward.forEach((step, i) => {
    for (const id of forwardUses(step)) use(id, i);
  });
  backward.forEach((step, j) => {
    for (const id of backwardUses(step)) use(id, forward.length + j);
  });
  return ranges;
}
