// BufferPool: GPU buffers handed out by size class and usage, reused after release, destroyed on dispose.
/// <reference types="@webgpu/types" />

import { GpuError } from './errors.ts';

/** Smallest buffer the pool makes; also a multiple of 16 so any pooled buffer can be viewed as array<vec4f>. */
const MIN_BYTES = 256;

export interface BufferPoolStats {
  created: number;
  reused: number;
  inUse: number;
  free: number;
  bytesAllocated: number;
}

/**
 * NOTE: a pooled buffer can be larger than asked for (its size class). Kernels must take element counts from
 * their own parameters, never from arrayLength(), and readbacks must copy only the bytes that were asked for.
 * NOTE: releasing a buffer while submitted work still uses it is safe: WebGPU orders later queue writes and
 * submissions after earlier ones. A mapped buffer must be unmapped before it is released.
 */
export class BufferPool {
  private readonly free = new Map<string, GPUBuffer[]>();
  private readonly inUse = new Map<GPUBuffer, string>();
  private readonly counts = { created: 0, reused: 0, bytesAllocated: 0 };

  constructor(
    private readonly device: GPUDevice,
    private readonly maxBufferSize: number = device.limits.maxBufferSize,
  ) {}

  /** Rounds up to 1, 1.25, 1.5 or 1.75 times a power of two (at most 25% waste), at least 256 bytes. */
  static sizeClass(byteLength: number): number {
    if (byteLength <= MIN_BYTES) return MIN_BYTES;
    const power = 2 ** Math.floor(Math.log2(byteLength));
    const step = power / 4;
    return Math.ceil(byteLength / step) * step;
  }

  /** A buffer of at least `byteLength` bytes with exactly `usage`; reused from the free list when one fits. */
  acquire(byteLength: number, usage: GPUBufferUsageFlags, label?: string): GPUBuffer {
    if (!Number.isFinite(byteLength) || byteLength < 0) throw new RangeError(`Bad buffer size ${byteLength}`);
    let size = BufferPool.sizeClass(byteLength);
    if (size > this.maxBufferSize) {
      if (byteLength > this.maxBufferSize)
        throw new GpuError('tooLarge', {
          detail: `${label ?? 'A buffer'} needs ${formatBytes(byteLength)}; this GPU allows ${formatBytes(this.maxBufferSize)} per buffer.`,
        });
      size = Math.ceil(byteLength / 16) * 16;
    }
    const key = `${usage}:${size}`;
    const reusable = this.free.get(key)?.pop();
    if (reusable) {
      this.counts.reused++;
      if (label) reusable.label = label;
      this.inUse.set(reusable, key);
      return reusable;
    }
    const buffer = this.device.createBuffer({ size, usage, label: label ?? `pool ${size}` });
    this.counts.created++;
    this.counts.bytesAllocated += size;
    this.inUse.set(buffer, key);
    return buffer;
  }

  /** Returns a buffer to the pool; it must have come from acquire() and not been released since. */
  release(buffer: GPUBuffer): void {
    const key = this.inUse.get(buffer);
    if (key === undefined) throw new Error(`Buffer "${buffer.label}" is not in use from this pool`);
    this.inUse.delete(buffer);
    let list = this.free.get(key);
    if (!list) {
      list = [];
      this.free.set(key, list);
    }
    list.push(buffer);
  }

  /** Destroys the free buffers (keeps those in use), e.g. after a training run ends. */
  trim(): void {
    for (const list of this.free.values()) for (const buffer of list) this.destroy(buffer);
    this.free.clear();
  }

  /** Destroys every buffer the pool made, in use or not. */
  dispose(): void {
    this.trim();
    for (const buffer of this.inUse.keys()) this.destroy(buffer);
    this.inUse.clear();
  }

  stats(): BufferPoolStats {
    let free = 0;
    for (const list of this.free.values()) free += list.length;
    return { ...this.counts, inUse: this.inUse.size, free };
  }

  private destroy(buffer: GPUBuffer): void {
    this.counts.bytesAllocated -= buffer.size;
    buffer.destroy();
  }
}

export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  return `${Math.ceil(bytes / 1024)} KiB`;
}
