// Picks conv2d's kernel variant for an adapter: the register-blocked kernels with no workgroup memory on
// software adapters (SwiftShader, WARP, llvmpipe), where barriers are costly; workgroup-memory tiles on hardware.

import { type AdapterSummary, isSoftwareAdapter } from './device.ts';

/**
 * blocked: register-blocked implicit GEMM, no workgroup memory, taps unrolled as text (conv2d.wgsl and its
 * gradient kernels): what pays on SwiftShader. tiled: 64x64 output tiles staged in workgroup memory
 * (conv2d_tiled.wgsl), the form that pays on real GPUs.
 */
export const CONV_VARIANTS = ['blocked', 'tiled'] as const;
export type ConvVariant = (typeof CONV_VARIANTS)[number];

/**
 * The conv variant for an adapter. NOTE: decided from the adapter's description, not measured: on SwiftShader
 * the tiled variant measured several times slower (test/bench/conv.bench.ts), and compiling it there only to
 * time it would add seconds to every start; no hardware adapter was available to measure on.
 */
export function chooseConvVariant(
  summary: Pick<AdapterSummary, 'vendor' | 'architecture' | 'device' | 'description' | 'isFallbackAdapter'>,
): ConvVariant {
  return isSoftwareAdapter(summary) ? 'blocked' : 'tiled';
}

/**
 * Whether the blocked conv kernels share loads across a subgroup (each of its 4 invocations loads a quarter of
 * the weights, or of dy, that all 4 need, and subgroupBroadcast hands them round): on software adapters with
 * subgroups of exactly 4, where every load is a gather and a broadcast a register shuffle. The kernels are
 * written for 4 lanes; other sizes keep the plain loads.
 */
export function chooseSubgroupLoads(
  summary: Pick<AdapterSummary, 'subgroupSize'>,
  variant: ConvVariant,
): boolean {
  return variant === 'blocked' && summary.subgroupSize === 4;
}
