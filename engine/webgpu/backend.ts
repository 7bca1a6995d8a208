// The WebGPU backend: binds a compiled program to a GpuRuntime (pipelines, buffers, bind groups made once)
// and returns an executor whose training step is one command buffer.

import type { Backend } from '../compile/backend.ts';
import type { ProgramCore } from '../compile/program.ts';
import {
  type ConvVariant,
  chooseConvVariant,
  chooseSubgroupLoads,
  chooseVariant,
  type GpuRuntime,
  isSoftwareAdapter,
  type MatmulVariant,
} from '../gpu/index.ts';
import { bindProgram } from './bind.ts';
import { GpuExecutor } from './executor.ts';

export interface WebGpuBackendOptions {
  /** Matmul kernel for Linear; default: the fastest on this adapter (chooseVariant measures it once). */
  matmulVariant?: MatmulVariant;
  /** Conv2d kernels; default: chooseConvVariant for this adapter (tiled on hardware, blocked on software). */
  convVariant?: ConvVariant;
  /**
   * Linear's split-K shape rule (`matmulSplit`); default: on for hardware adapters, off for software ones
   * (on SwiftShader the register-blocked matmul measured 0.7x with it on the chapter ResNet's classifier).
   */
  splitK?: boolean;
  /** Workgroups along x before the conv kernels loop over more positions. Default 4096. */
  maxWorkgroups?: number;
  /** Blocked conv kernels share loads across subgroups of 4; default: chooseSubgroupLoads for this adapter. */
  subgroupLoads?: boolean;
}

export interface WebGpuBackend extends Backend {
  readonly runtime: GpuRuntime;
  bind<P extends ProgramCore>(program: P): Promise<GpuExecutor<P>>;
}

export function webgpuBackend(runtime: GpuRuntime, options: WebGpuBackendOptions = {}): WebGpuBackend {
  return {
    name: 'webgpu',
    runtime,
    async bind<P extends ProgramCore>(program: P) {
      const matmulVariant = options.matmulVariant ?? (await chooseVariant(runtime));
      const convVariant = options.convVariant ?? chooseConvVariant(runtime.summary);
      const bound = await bindProgram(runtime, program, {
        matmulVariant,
        convVariant,
        subgroupLoads: options.subgroupLoads ?? chooseSubgroupLoads(runtime.summary, convVariant),
        splitK: options.splitK ?? !isSoftwareAdapter(runtime.summary),
        maxWorkgroups: options.maxWorkgroups,
      });
      return new GpuExecutor(program, runtime, bound);
    },
  };
}
