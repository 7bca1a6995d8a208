// PipelineCache: compiles each (kernel file, specialisation) once into a compute pipeline with an explicit layout.
/// <reference types="@webgpu/types" />

import { GpuError } from './errors.ts';
import { ShaderStage } from './flags.ts';
import type { ShaderSource } from './shader-source.ts';

/** How a kernel sees binding i of group 0. */
export type BindingKind = 'storage' | 'read-only-storage' | 'uniform';

/** One compute program: a file in shaders/ plus what it is specialised on (STYLE rule 7). */
export interface KernelSpec {
  /** The shader file name without `.wgsl`. */
  name: string;
  /** Binding i of group 0 in the shader is bindings[i]. */
  bindings: readonly BindingKind[];
  /** Values for the shader's `override` declarations (booleans become 0/1). */
  constants?: Readonly<Record<string, number | boolean>>;
  /** Text for `{{KEY}}` placeholders, for what overrides cannot express (types, array sizes). */
  template?: Readonly<Record<string, string>>;
  entryPoint?: string;
}

export interface CompiledKernel {
  spec: KernelSpec;
  key: string;
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}

/** The cache key: kernel name plus every specialisation value, in a stable order. */
export function kernelKey(spec: KernelSpec): string {
  const parts = [spec.name, spec.entryPoint ?? 'main', spec.bindings.join(',')];
  for (const [k, v] of Object.entries(spec.constants ?? {}).sort()) parts.push(`${k}=${Number(v)}`);
  for (const [k, v] of Object.entries(spec.template ?? {}).sort()) parts.push(`{${k}}=${v}`);
  return parts.join('|');
}

export class PipelineCache {
  private readonly pipelines = new Map<string, Promise<CompiledKernel>>();
  private readonly modules = new Map<string, GPUShaderModule>();
  private readonly layouts = new Map<string, GPUBindGroupLayout>();

  constructor(
    private readonly device: GPUDevice,
    private readonly shaderSource: ShaderSource,
  ) {}

  get size(): number {
    return this.pipelines.size;
  }

  /**
   * The compiled kernel for a spec; concurrent calls for one key share one compilation.
   * Fails with a GpuError 'shaderCompile' naming the kernel (and the WGSL line) when it does not compile.
   */
  get(spec: KernelSpec): Promise<CompiledKernel> {
    const key = kernelKey(spec);
    let entry = this.pipelines.get(key);
    if (!entry) {
      entry = this.compile(spec, key);
      // A failed compile is not cached, so a later call reports it again instead of a stale rejection.
      entry.catch(() => this.pipelines.delete(key));
      this.pipelines.set(key, entry);
    }
    return entry;
  }

  /** Compiles several kernels in parallel (pipeline compilation is slow, notably on SwiftShader). */
  warm(specs: readonly KernelSpec[]): Promise<CompiledKernel[]> {
    return Promise.all(specs.map((s) => this.get(s)));
  }

  clear(): void {
    this.pipelines.clear();
    this.modules.clear();
    this.layouts.clear();
  }

  private async compile(spec: KernelSpec, key: string): Promise<CompiledKernel> {
    const module = await this.module(spec);
    const layout = this.layout(spec.bindings);
    const constants: Record<string, number> = {};
    for (const [k, v] of Object.entries(spec.constants ?? {})) constants[k] = Number(v);
    // NOTE: push and pop with no await between them: error scopes are a per-device stack, and an await would
    // let another compilation's push land in between and steal this one's errors.
    this.device.pushErrorScope('validation');
    const pending = this.device.createComputePipelineAsync({
      label: key,
      layout: this.device.createPipelineLayout({ label: spec.name, bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: spec.entryPoint ?? 'main', constants },
    });
    const scope = this.device.popErrorScope();
    let pipeline: GPUComputePipeline;
    try {
      pipeline = await pending;
    } catch (error) {
      await scope.catch(() => null);
      throw new GpuError('shaderCompile', { kernel: spec.name, detail: messageOf(error), cause: error });
    }
    const scoped = await scope.catch((error: unknown) => error);
    if (scoped) throw new GpuError('shaderCompile', { kernel: spec.name, detail: messageOf(scoped) });
    return { spec, key, pipeline, layout };
  }

  private async module(spec: KernelSpec): Promise<GPUShaderModule> {
    const code = fillTemplate(spec, this.shaderSource(spec.name));
    const cached = this.modules.get(code);
    if (cached) return cached;
    this.device.pushErrorScope('validation');
    const module = this.device.createShaderModule({ label: spec.name, code });
    const scope = this.device.popErrorScope();
    const [info, scoped] = await Promise.all([
      module.getCompilationInfo(),
      scope.catch((error: unknown) => error),
    ]);
    const errors = info.messages.filter((m) => m.type === 'error');
    if (errors.length > 0 || scoped) {
      const lines = errors.map((m) => `shaders/${spec.name}.wgsl:${m.lineNum}:${m.linePos}: ${m.message}`);
      throw new GpuError('shaderCompile', {
        kernel: spec.name,
        detail: lines.length > 0 ? lines.join('\n') : messageOf(scoped),
      });
    }
    this.modules.set(code, module);
    return module;
  }

  private layout(bindings: readonly BindingKind[]): GPUBindGroupLayout {
    const key = bindings.join(',');
    let layout = this.layouts.get(key);
    if (!layout) {
      layout = this.device.createBindGroupLayout({
        label: key,
        entries: bindings.map((type, binding) => ({
          binding,
          visibility: ShaderStage.COMPUTE,
          buffer: { type },
        })),
      });
      this.layouts.set(key, layout);
    }
    return layout;
  }
}

function fillTemplate(spec: KernelSpec, text: string): string {
  const filled = text.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => spec.template?.[name] ?? whole);
  const missing = /\{\{(\w+)\}\}/.exec(filled);
  if (missing)
    throw new GpuError('shaderCompile', {
      kernel: spec.name,
      detail: `Template placeholder {{${missing[1]}}} has no value in the kernel spec.`,
    });
  return filled;
}

function messageOf(error: unknown): string {
  return error && typeof error === 'object' && 'message' in error ? String(error.message) : String(error);
}
