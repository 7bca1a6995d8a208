// Browser builds (Vite) only: every shaders/*.wgsl bundled as a raw string, as a ShaderSource.
/// <reference types="vite/client" />

import { type ShaderSource, shaderSourceFromFiles } from './shader-source.ts';

// NOTE: import.meta.glob is expanded by Vite at build time; under plain Node (tsx, Vitest without Vite's
// transform of this file) it does not exist. Node uses nodeShaderSource() from node-device.ts instead.
export const viteShaderSource: ShaderSource = shaderSourceFromFiles(
  import.meta.glob<string>('../../shaders/*.wgsl', { query: '?raw', import: 'default', eager: true }),
);
