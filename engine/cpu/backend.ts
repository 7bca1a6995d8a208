// The CPU reference backend: one ArrayBuffer per plan slot and per persistent tensor, tensors as views
// into them, and each step dispatched to its kernel in engine/cpu/kernels.ts.

import type { Backend, Executor, HostData } from '../compile/backend.ts';
import type { UpdateAttrs, UpdateName } from '../compile/ops.ts';
import { type GradTarget, numel, type ProgramCore, storageOf, type TensorId } from '../compile/program.ts';
import { CPU_KERNELS, CPU_UPDATES } from './kernels.ts';
import type { CpuGrad, CpuKernel, CpuTensor } from './tensor.ts';

type Handles = Record<string, unknown>;

class CpuExecutor<P extends ProgramCore> implements Executor<P> {
  private readonly views: CpuTensor[];
  private readonly forwardArgs: Handles[];
  private readonly backwardArgs: Handles[];

  constructor(readonly program: P) {
    const slots = program.plan.slots.map((bytes) => new ArrayBuffer(bytes));
    const own = new Map<TensorId, ArrayBuffer>();
    this.views = program.tensors.map((t) => {
      const root = storageOf(program, t.id);
      const slot = program.plan.slotOf[root]!;
      let memory = slot >= 0 ? slots[slot]! : own.get(root);
      if (!memory) {
        memory = new ArrayBuffer(numel(program.tensors[root]!.shape) * 4);
        own.set(root, memory);
      }
      const n = numel(t.shape);
      return { shape: t.shape, f: new Float32Array(memory, 0, n), i: new Int32Array(memory, 0, n) };
    });
    for (const c of program.constants) this.views[c.tensor]!.f.fill(c.value);
    const tensor = (id: TensorId) => this.views[id]!;
    const grad = (g: GradTarget): CpuGrad => ({ t: tensor(g.tensor), accumulate: g.accumulate });
    const map = <T, U>(record: object, fn: (v: T) => U): Handles => {
      const out: Handles = {};
      for (const [k, v] of Object.entries(record))
        if (v !== undefined) out[k] = Array.isArray(v) ? v.map((x) => (x === undefined ? x : fn(x))) : fn(v);
      return out;
    };
    this.forwardArgs = program.forward.map((s) => ({
      attrs: s.attrs,
      inputs: map(s.inputs, tensor),
      output: tensor(s.output),
      saved: map(s.saved, tensor),
    }));
    this.backwardArgs = program.backward.map((s) => ({
      ...this.forwardArgs[s.forward],
      gradOutput: tensor(s.gradOutput),
      grads: map(s.grads, grad),
    }));
  }

  write(id: TensorId, data: HostData): void {
    const t = this.program.tensors[id]!;
    const view = this.views[id]!;
    if (data.length !== view.f.length)
      throw new Error(`write ${t.name}: ${data.length} values for a tensor of ${view.f.length}`);
    if ((t.dtype === 'int32') !== data instanceof Int32Array)
      throw new Error(
        `write ${t.name}: ${t.dtype} tensor needs ${t.dtype === 'int32' ? 'an Int32Array' : 'a Float32Array'}`,
      );
    (t.dtype === 'int32' ? view.i : view.f).set(data);
  }

  async read(id: TensorId): Promise<HostData> {
    const view = this.views[id]!;
    return this.program.tensors[id]!.dtype === 'int32' ? view.i.slice() : view.f.slice();
  }

  forward(index: number, training: boolean): void {
    const step = this.program.forward[index]!;
    const kernel = CPU_KERNELS[step.op] as CpuKernel<typeof step.op>;
    kernel.forward({ ...this.forwardArgs[index], training } as never);
  }

  backward(index: number, training: boolean): void {
    const step = this.program.backward[index]!;
    const kernel = CPU_KERNELS[step.op] as CpuKernel<typeof step.op>;
    kernel.backward({ ...this.backwardArgs[index], training } as never);
  }

  update<K extends UpdateName>(op: K, index: number, attrs: UpdateAttrs[K]): void {
    const u = this.program.updates[index]!;
    const state: Record<string, CpuTensor> = {};
    for (const [name, id] of Object.entries(u.state)) state[name] = this.views[id]!;
    (CPU_UPDATES[op] as (...args: unknown[]) => void)(this.views[u.param], this.views[u.grad], state, attrs);
  }

  async flush(): Promise<void> {}

  dispose(): void {
    this.views.length = 0;
  }
}

export const cpuBackend: Backend = {
  name: 'cpu',
  bind: async (program) => new CpuExecutor(program),
};
