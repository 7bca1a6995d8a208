// Shader loading: the browser build's bundled strings and Node's disk reads give the same WGSL text.

import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GpuError, shaderSourceFromFiles } from '../../engine/gpu/index.ts';
import { nodeShaderSource } from '../../engine/gpu/node-device.ts';
import { viteShaderSource } from '../../engine/gpu/vite-shaders.ts';

describe('shader sources', () => {
  it('bundles every shaders/*.wgsl for the browser with the same text Node reads from disk', () => {
    const names = readdirSync(new URL('../../shaders/', import.meta.url))
      .filter((f) => f.endsWith('.wgsl'))
      .map((f) => f.slice(0, -'.wgsl'.length));
    expect(names).toContain('matmul_tiled');
    const fromDisk = nodeShaderSource();
    for (const name of names) expect(viteShaderSource(name), name).toBe(fromDisk(name));
  });

  it('names the kernel when a shader is missing', () => {
    const source = shaderSourceFromFiles({ '/shaders/a.wgsl': 'fn main() {}' });
    expect(source('a')).toBe('fn main() {}');
    expect(() => source('b')).toThrow(GpuError);
    expect(() => nodeShaderSource()('no_such_kernel')).toThrow(
      expect.objectContaining({ kernel: 'no_such_kernel' }),
    );
  });
});
