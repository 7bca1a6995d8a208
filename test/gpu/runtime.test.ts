// The WebGPU runtime on SwiftShader: device and info, dispatch folding, buffer pool, transfers, and errors as GpuError.

import { describe, expect, it } from 'vitest';
import {
  BufferPool,
  BufferUsage,
  foldWorkgroups,
  GpuError,
  GpuRuntime,
  TENSOR_USAGE,
  withExtraShaders,
} from '../../engine/gpu/index.ts';
import { nodeGpu, nodeShaderSource, openNodeRuntime } from '../../engine/gpu/node-device.ts';
import { sharedRuntime } from './fixture.ts';

// Test-only kernels, served next to the real shaders/ files.
const TEST_SHADERS = {
  // Counts how often each index is visited; a flat 1-D launch folded into 2-D/3-D by the runtime.
  fold_probe: `
    @group(0) @binding(0) var<storage, read_write> hits: array<atomic<u32>>;
    @group(0) @binding(1) var<uniform> count: vec4u;
    @compute @workgroup_size(64)
    fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u,
            @builtin(local_invocation_index) lid: u32) {
      let flat = wid.x + groups.x * (wid.y + groups.y * wid.z);
      let i = flat * 64u + lid;
      if (i >= count.x) { return; }
      atomicAdd(&hits[i], 1u);
    }`,
  broken_kernel: `
    @compute @workgroup_size(1)
    fn main() { let x: u32 = ; }`,
  // Valid WGSL whose binding is not in the layout the spec declares: fails at pipeline creation.
  mismatched_kernel: `
    @group(0) @binding(3) var<storage, read_write> data: array<f32>;
    @compute @workgroup_size(1)
    fn main() { data[0] = 1.0; }`,
};

// NOTE: no skip when WebGPU is missing: opening the runtime throws a GpuError and every test here fails.
const gpu = sharedRuntime(() =>
  openNodeRuntime({ shaderSource: withExtraShaders(nodeShaderSource(), TEST_SHADERS) }),
);

describe('device', () => {
  it('reports the adapter for the status bar and raises the limits to the adapter', async () => {
    const runtime = await gpu();
    const info = runtime.info();
    expect(info.vendor.length + info.architecture.length + info.description.length).toBeGreaterThan(0);
    expect(info.label).toContain(info.description);
    expect(info.limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(128 * 2 ** 20);
    expect(runtime.device.limits.maxBufferSize).toBe(info.limits.maxBufferSize);
  });
});

describe('dispatch folding', () => {
  it('folds counts above the per-dimension limit into a grid covering them with little waste', () => {
    expect(foldWorkgroups(10)).toEqual([10, 1, 1]);
    expect(foldWorkgroups(65_535)).toEqual([65_535, 1, 1]);
    for (const count of [65_536, 65_537 * 3, 70_000_000, 65_535 ** 2 + 1]) {
      const [x, y, z] = foldWorkgroups(count);
      expect(Math.max(x, y, z)).toBeLessThanOrEqual(65_535);
      expect(x * y * z).toBeGreaterThanOrEqual(count);
      expect(x * y * z - count).toBeLessThan(y * z);
    }
    expect(() => foldWorkgroups(65_535 ** 3 + 1)).toThrow(GpuError);
  });

  it('runs a kernel with more than 65,535 workgroups of 64 and visits every index exactly once', async () => {
    const runtime = await gpu();
    const count = 65_537 * 64 + 5;
    const kernel = await runtime.kernel({ name: 'fold_probe', bindings: ['storage', 'uniform'] });
    const hits = runtime.upload(new Uint32Array(count));
    const uniform = runtime.upload(new Uint32Array([count, 0, 0, 0]), BufferUsage.UNIFORM);
    runtime.run(kernel, [hits, uniform], Math.ceil(count / 64));
    const seen = new Uint32Array(await runtime.read(hits, count * 4));
    const wrong = seen.findIndex((v) => v !== 1);
    expect(wrong, `index ${wrong} visited ${seen[wrong]} times`).toBe(-1);
    runtime.buffers.release(hits);
    runtime.buffers.release(uniform);
  });
});

describe('buffer pool', () => {
  it('reuses a released buffer of the same size class and usage, and destroys all on dispose', async () => {
    const runtime = await gpu();
    const pool = new BufferPool(runtime.device);
    const first = pool.acquire(1000, TENSOR_USAGE);
    expect(first.size).toBeGreaterThanOrEqual(1000);
    pool.release(first);
    expect(pool.acquire(900, TENSOR_USAGE)).toBe(first);
    const other = pool.acquire(900, BufferUsage.UNIFORM | BufferUsage.COPY_DST);
    expect(other).not.toBe(first);
    expect(pool.stats()).toMatchObject({ created: 2, reused: 1, inUse: 2, free: 0 });
    expect(() => pool.release(runtime.emptyStorage())).toThrow(/not in use/);
    pool.release(other);
    pool.dispose();
    expect(pool.stats()).toMatchObject({ inUse: 0, free: 0, bytesAllocated: 0 });
  });

  it('sizes classes with at most 25% waste and refuses buffers above the device limit', async () => {
    const runtime = await gpu();
    for (const bytes of [1, 256, 257, 1000, 4096, 5000, 123_456_789]) {
      const size = BufferPool.sizeClass(bytes);
      expect(size).toBeGreaterThanOrEqual(bytes);
      expect(size % 16).toBe(0);
      if (bytes > 256) expect(size).toBeLessThanOrEqual(bytes * 1.25);
    }
    const tooBig = runtime.device.limits.maxBufferSize + 4;
    expect(() => runtime.buffers.acquire(tooBig, TENSOR_USAGE)).toThrow(
      expect.objectContaining({ code: 'GPU009' }),
    );
  });
});

describe('transfers', () => {
  it('reads several buffers back in one batch, including odd byte lengths', async () => {
    const runtime = await gpu();
    const floats = Float32Array.from({ length: 1000 }, (_, i) => i * 0.5);
    const bytes = Uint8Array.from([1, 2, 3, 4, 5]);
    const x = runtime.upload(floats);
    const y = runtime.upload(bytes);
    const [gotFloats, gotBytes] = await runtime.readMany([
      { buffer: x, byteLength: floats.byteLength },
      { buffer: y, byteLength: 5 },
    ]);
    expect(new Float32Array(gotFloats!)).toEqual(floats);
    expect(new Uint8Array(gotBytes!)).toEqual(bytes);
    runtime.buffers.release(x);
    runtime.buffers.release(y);
  });
});

describe('errors', () => {
  it('turns a shader compile error into a GpuError naming the kernel and the line', async () => {
    const runtime = await gpu();
    const failure = runtime.kernel({ name: 'broken_kernel', bindings: [] });
    await expect(failure).rejects.toBeInstanceOf(GpuError);
    await expect(failure).rejects.toMatchObject({ code: 'GPU005', kernel: 'broken_kernel' });
    await expect(failure).rejects.toThrow(/broken_kernel.*\n.*broken_kernel\.wgsl:3:/s);
    expect(runtime.error).toBeNull();
  });

  it('turns a pipeline error and a missing shader file into GpuErrors naming the kernel', async () => {
    const runtime = await gpu();
    await expect(runtime.kernel({ name: 'mismatched_kernel', bindings: ['storage'] })).rejects.toMatchObject({
      code: 'GPU005',
      kernel: 'mismatched_kernel',
    });
    await expect(runtime.kernel({ name: 'no_such_kernel', bindings: [] })).rejects.toMatchObject({
      code: 'GPU005',
      kernel: 'no_such_kernel',
    });
    expect(runtime.error).toBeNull();
  });

  it('reports an uncaptured validation error to listeners and as the runtime failure', async () => {
    const own = await GpuRuntime.open(nodeGpu(), nodeShaderSource());
    const heard: GpuError[] = [];
    own.onError((error) => heard.push(error));
    // A uniform buffer bound where the layout wants storage: an error outside any error scope.
    const kernel = await own.kernel({
      name: 'matmul_tiled',
      bindings: ['read-only-storage', 'read-only-storage', 'read-only-storage', 'storage', 'uniform'],
    });
    const uniform = own.upload(new Uint32Array(8), BufferUsage.UNIFORM);
    own.bind(kernel, [uniform, uniform, uniform, uniform, uniform]);
    const failure = await own.failed;
    expect(failure).toMatchObject({ code: 'GPU006', fatal: true });
    expect(heard[0]).toBe(failure);
    own.close();
  });

  it('turns device loss into a GpuError that a caller can await, and fails later work with it', async () => {
    const own = await GpuRuntime.open(nodeGpu(), nodeShaderSource());
    const buffer = own.upload(new Float32Array([1, 2, 3, 4]));
    own.device.destroy();
    const lost = await own.failed;
    expect(lost).toBeInstanceOf(GpuError);
    expect(lost).toMatchObject({ kind: 'deviceLost', code: 'GPU004', fatal: true });
    expect(lost.message).toMatch(/last good weights/);
    await expect(own.readFloat32(buffer, 4)).rejects.toBe(lost);
    expect(() => own.check()).toThrow(lost);
    own.close();
  });

  it('does not report its own close() as device loss', async () => {
    const own = await GpuRuntime.open(nodeGpu(), nodeShaderSource());
    own.close();
    const outcome = await Promise.race([
      own.failed,
      new Promise((resolve) => setTimeout(resolve, 300, 'quiet')),
    ]);
    expect(outcome).toBe('quiet');
    expect(() => own.check()).toThrow(expect.objectContaining({ code: 'GPU011' }));
  });
});
