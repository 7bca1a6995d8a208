// Binding a program to a GPU: plans every step's dispatches, compiles the distinct pipelines in parallel,
// allocates one buffer per plan slot and persistent tensor plus shared scratch, and makes every bind group once.
/// <reference types="@webgpu/types" />

import { numel, type ProgramCore, storageOf, type TensorId } from '../compile/program.ts';
import {
  BufferUsage,
  type CompiledKernel,
  type ConvVariant,
  GpuError,
  type GpuRuntime,
  kernelKey,
  type MatmulVariant,
  TENSOR_USAGE,
  type WorkgroupGrid,
} from '../gpu/index.ts';
import type { Binding, DispatchPlan, PlanContext, ScratchRole } from './dispatch-plan.ts';
import { gpuKernel } from './kernels.ts';
import { ATTRS_BYTES, updatePlan } from './optimizers.ts';

/** One recorded dispatch: pipeline, bind group and grid. */
export interface Encoded {
  kernel: CompiledKernel;
  group: GPUBindGroup;
  grid: number | WorkgroupGrid;
}

/** The dispatches of one step in each mode (the same list when the op does not depend on the mode). */
export interface ModalDispatches {
  train: Encoded[];
  eval: Encoded[];
}

export interface BoundProgram {
  /** Buffer of each tensor id (views share their base's). */
  tensorBuffers: GPUBuffer[];
  forward: ModalDispatches[];
  backward: ModalDispatches[];
  updates: Encoded[];
  /** The per-step optimizer hyperparameters (uniform). */
  attrs: GPUBuffer;
  /** Device-side metric totals: loss sum (f32), correct (i32), steps (u32). */
  totals: GPUBuffer;
  metricsKernel: CompiledKernel;
  /** Every buffer bind made, released to the runtime's pool by dispose. */
  owned: GPUBuffer[];
}

export interface BindOptions {
  matmulVariant: MatmulVariant;
  /** Conv2d kernels: 'blocked' (software adapters) or 'tiled' (workgroup memory, hardware). Default 'blocked'. */
  convVariant?: ConvVariant;
  /** Linear's split-K shape rule on (default) or off. */
  splitK?: boolean;
  /** Workgroups along x before the conv kernels loop (grid-stride). Default 4096. */
  maxWorkgroups?: number;
  /** Blocked conv kernels share loads across subgroups of 4 (the device must have 'subgroups'). Default off. */
  subgroupLoads?: boolean;
}

const METRICS_SPEC = {
  name: 'metrics',
  bindings: ['read-only-storage', 'read-only-storage', 'storage'],
} as const;

/** Plans, compiles and allocates; GPU validation errors while doing so become a GpuError. */
export async function bindProgram(
  runtime: GpuRuntime,
  program: ProgramCore,
  options: BindOptions,
): Promise<BoundProgram> {
  const ctx: PlanContext = {
    shape: (id) => program.tensors[id]!.shape,
    matmulVariant: options.matmulVariant,
    convVariant: options.convVariant ?? 'blocked',
    splitK: options.splitK ?? true,
    subgroupLoads: options.subgroupLoads ?? false,
    maxWorkgroups: Math.min(
      options.maxWorkgroups ?? 4096,
      runtime.device.limits.maxComputeWorkgroupsPerDimension,
    ),
  };
  const forwardPlans = program.forward.map((step) => {
    const kernel = gpuKernel(step.op);
    const train = kernel.forward(step, ctx, true);
    return { train, eval: kernel.modal ? kernel.forward(step, ctx, false) : train };
  });
  const backwardPlans = program.backward.map((step) => {
    const kernel = gpuKernel(step.op);
    const train = kernel.backward(step, ctx, true);
    return { train, eval: kernel.modal ? kernel.backward(step, ctx, false) : train };
  });
  const optimizer = program.optimizer;
  const updatePlans = optimizer ? program.updates.map((u) => updatePlan(optimizer, u, ctx)) : [];
  const all = [...forwardPlans, ...backwardPlans].flatMap((m) => [...m.train, ...m.eval]).concat(updatePlans);

  // Pipelines: each distinct (kernel, specialisation) once, compiled in parallel.
  const specs = new Map([...all.map((p) => p.spec), METRICS_SPEC].map((s) => [kernelKey(s), s]));
  const compiled = new Map<string, CompiledKernel>();
  await Promise.all(
    [...specs].map(async ([key, spec]) => {
      compiled.set(key, await runtime.kernel(spec));
    }),
  );

  const device = runtime.device;
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  const owned: GPUBuffer[] = [];
  const acquire = (bytes: number, usage: number, label: string) => {
    const buffer = runtime.buffers.acquire(Math.max(bytes, 16), usage, label);
    owned.push(buffer);
    return buffer;
  };

  // One buffer per plan slot and per persistent storage; views share their base's.
  const slotBuffers = program.plan.slots.map((bytes, s) => acquire(bytes, TENSOR_USAGE, `slot ${s}`));
  const own = new Map<TensorId, GPUBuffer>();
  const tensorBuffers = program.tensors.map((t) => {
    const root = storageOf(program, t.id);
    const slot = program.plan.slotOf[root]!;
    if (slot >= 0) return slotBuffers[slot]!;
    let buffer = own.get(root);
    if (!buffer) {
      buffer = acquire(numel(program.tensors[root]!.shape) * 4, TENSOR_USAGE, program.tensors[root]!.name);
      own.set(root, buffer);
    }
    return buffer;
  });

  const scratchBytes = new Map<ScratchRole, number>();
  let emptiesPerDispatch = 0;
  for (const plan of all) {
    let empties = 0;
    for (const b of plan.bindings) {
      if ('scratch' in b) scratchBytes.set(b.scratch, Math.max(scratchBytes.get(b.scratch) ?? 0, b.bytes));
      if ('empty' in b) empties++;
    }
    emptiesPerDispatch = Math.max(emptiesPerDispatch, empties);
  }
  const scratch = new Map(
    [...scratchBytes].map(([role, bytes]) => [role, acquire(bytes, TENSOR_USAGE, role)]),
  );
  // NOTE: one distinct placeholder per unused binding of a dispatch: WebGPU rejects one buffer bound twice
  // when either binding is writable.
  const empties = Array.from({ length: emptiesPerDispatch }, (_, i) =>
    acquire(16, TENSOR_USAGE, `unused ${i}`),
  );
  const attrs = acquire(ATTRS_BYTES, BufferUsage.UNIFORM | BufferUsage.COPY_DST, 'optimizer attrs');
  const totals = acquire(16, TENSOR_USAGE, 'metric totals');
  // Every tensor starts at zero (pooled buffers may hold old data). NOTE: before any parameter uniform is
  // written, so the clear cannot wipe one.
  runtime.submit((encoder) => {
    for (const buffer of owned) encoder.clearBuffer(buffer);
  });
  const uniforms = new Map<string, GPUBuffer>();
  const uniform = (bytes: ArrayBuffer) => {
    const key = Array.from(new Uint32Array(bytes)).join(',');
    let buffer = uniforms.get(key);
    if (!buffer) {
      buffer = acquire(bytes.byteLength, BufferUsage.UNIFORM | BufferUsage.COPY_DST, 'params');
      runtime.write(buffer, new Uint8Array(bytes));
      uniforms.set(key, buffer);
    }
    return buffer;
  };

  const encode = (plan: DispatchPlan): Encoded => {
    const kernel = compiled.get(kernelKey(plan.spec))!;
    let empty = 0;
    const resource = (b: Binding): GPUBuffer => {
      if ('tensor' in b) return tensorBuffers[b.tensor]!;
      if ('scratch' in b) return scratch.get(b.scratch)!;
      if ('params' in b) return uniform(b.params);
      if ('optimizerAttrs' in b) return attrs;
      return empties[empty++]!;
    };
    return { kernel, group: runtime.bind(kernel, plan.bindings.map(resource)), grid: plan.grid };
  };
  const cache = new Map<DispatchPlan[], Encoded[]>();
  const encodeAll = (plans: DispatchPlan[]) => {
    let encoded = cache.get(plans);
    if (!encoded) {
      encoded = plans.map(encode);
      cache.set(plans, encoded);
    }
    return encoded;
  };
  const modal = (m: { train: DispatchPlan[]; eval: DispatchPlan[] }) => ({
    train: encodeAll(m.train),
    eval: encodeAll(m.eval),
  });
  const bound: BoundProgram = {
    tensorBuffers,
    forward: forwardPlans.map(modal),
    backward: backwardPlans.map(modal),
    updates: updatePlans.map(encode),
    attrs,
    totals,
    metricsKernel: compiled.get(kernelKey(METRICS_SPEC))!,
    owned,
  };

  for (const c of program.constants)
    runtime.write(
      tensorBuffers[c.tensor]!,
      new Float32Array(numel(program.tensors[c.tensor]!.shape)).fill(c.value),
    );

  const validation = await device.popErrorScope();
  const memory = await device.popErrorScope();
  const error = validation ?? memory;
  if (error) {
    for (const buffer of owned) runtime.buffers.release(buffer);
    throw new GpuError(memory ? 'outOfMemory' : 'validation', { detail: error.message });
  }
  return bound;
}
