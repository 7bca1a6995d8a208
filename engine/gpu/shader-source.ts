// Where WGSL text comes from: a ShaderSource function, so Node reads shaders/ from disk and a browser build bundles them.

import { GpuError } from './errors.ts';

/**
 * Returns the WGSL text of `shaders/<name>.wgsl`. Node: `nodeShaderSource()` in node-device.ts.
 * Browser (Vite): `shaderSourceFromFiles(import.meta.glob('/shaders/*.wgsl', { query: '?raw', import: 'default', eager: true }))`.
 */
export type ShaderSource = (name: string) => string;

/** Builds a ShaderSource from a map of file paths (or bare names) to WGSL text, keyed by the file's base name. */
export function shaderSourceFromFiles(files: Readonly<Record<string, string>>): ShaderSource {
  const byName = new Map<string, string>();
  for (const [path, text] of Object.entries(files)) {
    const base = path.slice(path.lastIndexOf('/') + 1).replace(/\.wgsl$/, '');
    byName.set(base, text);
  }
  return (name) => {
    const text = byName.get(name);
    if (text === undefined)
      throw new GpuError('shaderCompile', {
        kernel: name,
        detail: `No shader file shaders/${name}.wgsl in this build (known: ${[...byName.keys()].join(', ')}).`,
      });
    return text;
  };
}

/** Layers a few extra kernels (tests, experiments) over another source. */
export function withExtraShaders(base: ShaderSource, extra: Readonly<Record<string, string>>): ShaderSource {
  return (name) => extra[name] ?? base(name);
}
