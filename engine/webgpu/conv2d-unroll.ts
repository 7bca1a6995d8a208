// Unrolled tap sequences for the conv kernels, filled into their {{...}} placeholders. NOTE: SwiftShader does
// not unroll loops over override constants; the same taps as straight-line code ran 2-3x faster there, but
// bodies much longer than about 10 taps got slower again, so the unit unrolled depends on the window.

import type { Conv2dAttrs } from '../compile/ops.ts';

const ACCUMULATORS = ['a', 'b', 'c', 'd'] as const;

/**
 * The accumulator of the GEMM kernels (conv2d.wgsl, conv2d_cl.wgsl) for channel quarter `v` at positions
 * 4 * half ... 4 * half + 3: with 4 positions a..d are the channel quarters; with 8 (OB <= 8) a and b the
 * channel halves at positions 0-3, c and d at 4-7.
 */
const accumulator = (v: number, half: number, pb: number) => ACCUMULATORS[pb === 8 ? half * 2 + v : v];

/** `k * name` terms joined into a WGSL u32 expression, leaving out zeros ('0u' when all are). */
function offset(terms: [number, string][]): string {
  const parts = terms.filter(([k]) => k !== 0).map(([k, name]) => (name ? `${k}u * ${name}` : `${k}u`));
  return parts.length ? parts.join(' + ') : '0u';
}

/**
 * One tap of conv2d.wgsl: 4 input loads at `at` per 4 positions, OB / 4 vec4 weight loads, one accumulator per
 * position and 4 channels. `shared`: the tap's index in its unit, whose weights unitWeights loaded a quarter
 * per lane (the tap takes its OB / 4 vec4s by subgroupBroadcast instead of loading them).
 */
function forwardTap(at: string, ob: number, pb: number, indent: string, shared: number | null): string[] {
  const lines = [`${indent}{`];
  for (let half = 0; half < pb / 4; half++) {
    const [p, b] = half ? ['2', 'base2'] : ['', 'base'];
    lines.push(`${indent}  let at${p} = ${b} + vec4u(${at});`);
    lines.push(`${indent}  let xv${p} = vec4f(x[at${p}.x], x[at${p}.y], x[at${p}.z], x[at${p}.w]);`);
  }
  for (let v = 0; v < ob / 4; v++) {
    const entry = shared === null ? 0 : shared * (ob / 4) + v;
    lines.push(
      shared === null
        ? `${indent}  let w${v} = wf[wi${v ? ` + ${v}u` : ''}];`
        : `${indent}  let w${v} = subgroupBroadcast(s${entry >> 2}, ${entry & 3}u);`,
    );
    for (let half = 0; half < pb / 4; half++) {
      const acc = accumulator(v, half, pb);
      const xv = half ? 'xv2' : 'xv';
      lines.push(
        `${indent}  ${acc}0 += w${v} * ${xv}.x; ${acc}1 += w${v} * ${xv}.y; ${acc}2 += w${v} * ${xv}.z; ${acc}3 += w${v} * ${xv}.w;`,
      );
    }
  }
  lines.push(`${indent}  wi += row;`, `${indent}}`);
  return lines;
}

/**
 * With subgroup loads, the weights of a unit of `taps` taps (the same in all 4 lanes: taps x OB / 4 vec4s, tap t's
 * at wi + t * row) loaded a quarter per lane as s0, s1, ...; lanes past the last entry load it again.
 */
function unitWeights(taps: number, ob: number, indent: string): string[] {
  const perTap = ob / 4;
  const entries = taps * perTap;
  const lines: string[] = [];
  for (let k = 0; k < Math.ceil(entries / 4); k++) {
    const entry = `min(lane + ${4 * k}u, ${entries - 1}u)`;
    lines.push(`${indent}let e${k} = ${entry};`);
    lines.push(`${indent}let s${k} = wf[wi + (e${k} / ${perTap}u) * row + e${k} % ${perTap}u];`);
  }
  return lines;
}

/** The window origins moved on by `channels` input planes. */
function advance(channels: number, pb: number, indent: string): string[] {
  const step = channels === 1 ? 'plane' : `${channels}u * plane`;
  const lines = [`${indent}base += vec4u(${step});`];
  if (pb === 8) lines.push(`${indent}base2 += vec4u(${step});`);
  return lines;
}

export type UnrollUnit = 'row' | 'channel' | 'channels';

/** What one loop trip unrolls: a kernel row for wide windows, a channel for 3x3, several for 1x1. */
export function unrollUnit(kh: number, kw: number): UnrollUnit {
  return kh * kw > 12 ? 'row' : kh * kw >= 4 ? 'channel' : 'channels';
}

/** Template values for conv2d.wgsl (the template is part of the pipeline cache key). */
export function forwardTemplate(
  attrs: Conv2dAttrs,
  kh: number,
  kw: number,
  cg: number,
  ob: number,
  pb: number,
  lanes: boolean,
) {
  const [dh, dw] = attrs.dilation;
  const unit = unrollUnit(kh, kw);
  // The taps of one unit: each tap's offset, then (with lanes) the unit's weights loaded once up front.
  const taps = (offsets: string[], indent: string, rows = false): string[] => {
    const out = lanes ? unitWeights(offsets.length, ob, indent) : [];
    for (const [t, at] of offsets.entries()) {
      const tap = forwardTap(at, ob, pb, indent, lanes ? t : null);
      out.push(
        ...(rows
          ? tap.map((l) => l.replace('= base +', '= row_base +').replace('= base2 +', '= row_base2 +'))
          : tap),
      );
    }
    return out;
  };
  const lines: string[] = [];
  if (unit === 'row') {
    lines.push('    for (var c = 0u; c < params.cg; c++) {', '      for (var kh = 0u; kh < KH; kh++) {');
    lines.push(`        let row_base = base + vec4u(kh * ${dh}u * params.wp);`);
    if (pb === 8) lines.push(`        let row_base2 = base2 + vec4u(kh * ${dh}u * params.wp);`);
    const offsets = Array.from({ length: kw }, (_, j) => offset([[j * dw, '']]));
    lines.push(...taps(offsets, '        ', true));
    lines.push('      }', ...advance(1, pb, '      '), '    }');
  } else {
    const window = (channels: number) => {
      const offsets: string[] = [];
      for (let u = 0; u < channels; u++)
        for (let i = 0; i < kh; i++)
          for (let j = 0; j < kw; j++)
            offsets.push(
              offset([
                [u, 'plane'],
                [i * dh, 'params.wp'],
                [j * dw, ''],
              ]),
            );
      return offsets;
    };
    const channels = unit === 'channels' ? Math.max(1, Math.min(4, cg)) : 1;
    lines.push(`    var c = 0u;`, `    for (; c + ${channels}u <= params.cg; c += ${channels}u) {`);
    lines.push(...taps(window(channels), '      '), ...advance(channels, pb, '      '), '    }');
    if (channels > 1) {
      lines.push('    for (; c < params.cg; c++) {');
      lines.push(...taps(window(1), '      '), ...advance(1, pb, '      '), '    }');
    }
  }
  return {
    KERNEL_TAPS: String(kh * kw),
    LOOP: unit,
    TAPS: lines.join('\n'),
    STORES: storeTemplate(ob, pb),
    ...gemmSubgroupTemplate(lanes),
  };
}

/** conv2d_weight_grad.wgsl's position body: `count` positions, each 4 taps of x times OB channels of dy. */
function weightGradPositions(count: number, ob: number): string {
  const lines: string[] = [];
  for (let p = 0; p < count; p++) {
    const sw = p ? ` + ${p}u * SW` : '';
    const d = p ? ` + ${p}u` : '';
    lines.push('      {', `        let at = x_tap + x_at${sw};`);
    lines.push('        let xv = select(vec4f(x[at.x], x[at.y], x[at.z], x[at.w]), vec4f(1.0), is_bias);');
    lines.push(
      `        let d = dy_at${d} + dy_lo;`,
      '        let dl = vec4f(dy[d.x], dy[d.y], dy[d.z], dy[d.w]);',
    );
    lines.push('        a0 += dl * xv.x; a1 += dl * xv.y; a2 += dl * xv.z; a3 += dl * xv.w;');
    if (ob === 8) {
      lines.push(
        `        let e = dy_at${d} + dy_hi;`,
        '        let dh = vec4f(dy[e.x], dy[e.y], dy[e.z], dy[e.w]);',
      );
      lines.push('        b0 += dh * xv.x; b1 += dh * xv.y; b2 += dh * xv.z; b3 += dh * xv.w;');
    }
    lines.push('      }');
  }
  return lines.join('\n');
}

/** Template values for conv2d_weight_grad.wgsl. */
export function weightGradTemplate(ob: number) {
  return { POSITIONS_4: weightGradPositions(4, ob), POSITIONS_1: weightGradPositions(1, ob) };
}

/**
 * The text a kernel needs to share loads across a subgroup of 4 (ctx.subgroupLoads): the WGSL extension and the
 * lane builtin, or nothing for the same placeholders.
 */
function subgroupTemplate(lanes: boolean) {
  return {
    ENABLE: lanes ? 'enable subgroups;\ndiagnostic(off, subgroup_uniformity);' : '',
    LANE: lanes ? ', @builtin(subgroup_invocation_id) lane: u32' : '',
  };
}

/**
 * subgroupTemplate for the GEMM kernels (conv2d.wgsl, conv2d_cl.wgsl), with their grid-stride loop condition
 * (MORE): with lanes the 4 lanes agree on it (a lane past the end runs on, clamped, and stores nothing, so that
 * every broadcast has all 4 lanes).
 */
function gemmSubgroupTemplate(lanes: boolean) {
  return { ...subgroupTemplate(lanes), MORE: lanes ? 'subgroupAny(pb < blocks)' : 'pb < blocks' };
}

/**
 * conv2d_cl.wgsl's body for one block of 4 input channels: the x vec4 of each of the `pb` positions, then per
 * channel OB / 4 weight vec4s times every position. With `lanes`, the block's OB weight vec4s (the same in
 * every lane) are loaded a quarter per lane (s_k, at the OFFSETS) and broadcast: OB / 4 loads instead of OB.
 */
function channelsLastChannels(ob: number, pb: number, lanes: boolean): string {
  const lines: string[] = [];
  const perChannel = ob / 4;
  for (let j = 0; j < pb; j++)
    lines.push(`        let x${j} = x[${j < 4 ? 'at' : 'at2'}.${'xyzw'[j % 4]} + cb];`);
  if (lanes) for (let k = 0; k < perChannel; k++) lines.push(`        let s${k} = wf[wi + off${k}];`);
  for (const [c, lane] of ['x', 'y', 'z', 'w'].entries()) {
    for (let v = 0; v < perChannel; v++) {
      const entry = c * perChannel + v;
      lines.push(
        lanes
          ? `        let w${v}${lane} = subgroupBroadcast(s${entry >> 2}, ${entry & 3}u);`
          : `        let w${v}${lane} = wf[wi${v ? ` + ${v}u` : ''}];`,
      );
      for (let half = 0; half < pb / 4; half++) {
        const acc = accumulator(v, half, pb);
        const terms = [0, 1, 2, 3].map((j) => `${acc}${j} += w${v}${lane} * x${half * 4 + j}.${lane};`);
        lines.push(`        ${terms.join(' ')}`);
      }
    }
    if (!lanes) lines.push('        wi += orow;');
  }
  if (lanes) lines.push('        wi += 4u * orow;');
  return lines.join('\n');
}

/** Template values for conv2d_cl.wgsl. */
export function channelsLastTemplate(ob: number, pb: number, lanes: boolean) {
  const perChannel = ob / 4;
  // Lane l loads the block's weight vec4s l, l + 4, ...: entry e is channel e / perChannel, vec4 e % perChannel.
  const offsets = Array.from(
    { length: lanes ? perChannel : 0 },
    (_, k) =>
      `  let off${k} = ((lane + ${4 * k}u) / ${perChannel}u) * orow + (lane + ${4 * k}u) % ${perChannel}u;`,
  );
  return {
    CHANNELS: channelsLastChannels(ob, pb, lanes),
    STORES: storeTemplate(ob, pb),
    OFFSETS: offsets.join('\n'),
    ...gemmSubgroupTemplate(lanes),
  };
}

/**
 * conv2d_weight_grad_cl.wgsl's multiply-adds for one position: x at x_at (CB channels: xl, and xh when 8) times
 * dy's `d` (output channels 0-3 of the block) and `e` (4-7, when OB is 8), and the bias sums.
 */
function weightGradClPosition(cb: number, ob: number, d: string, e: string, indent: string): string[] {
  const times = (acc: string, from: number, v: string, x: string) =>
    ['x', 'y', 'z', 'w'].map((lane, j) => `${acc}${from + j} += ${v} * ${x}.${lane};`).join(' ');
  const lines = [`let xl = x[x_at];`, times('a', 0, d, 'xl'), `s += ${d};`];
  if (cb === 8) lines.push('let xh = x[x_at + 1u];', times('a', 4, d, 'xh'));
  if (ob === 8) {
    lines.push(times('b', 0, e, 'xl'), `t += ${e};`);
    if (cb === 8) lines.push(times('b', 4, e, 'xh'));
  }
  lines.push('x_at += SW * x_row;');
  return lines.map((line) => indent + line);
}

/**
 * Template values for conv2d_weight_grad_cl.wgsl: the position body, and with `lanes` a loop over 4 positions at
 * a time in which lane j loads dy at position j and subgroupBroadcast gives each lane all four.
 */
export function weightGradClTemplate(cb: number, ob: number, lanes: boolean) {
  const plain = [
    '      let d = dy[dy_at];',
    ...(ob === 8 ? ['      let e = dy[dy_at + 1u];'] : []),
    ...weightGradClPosition(cb, ob, 'd', 'e', '      '),
  ];
  const shared = [
    '    for (; together && i + 4u <= run; i += 4u) {',
    '      let d4 = dy[dy_at + lane * dy_row];',
  ];
  if (ob === 8) shared.push('      let e4 = dy[dy_at + lane * dy_row + 1u];');
  for (let j = 0; j < 4; j++) {
    shared.push('      {', `        let d = subgroupBroadcast(d4, ${j}u);`);
    if (ob === 8) shared.push(`        let e = subgroupBroadcast(e4, ${j}u);`);
    shared.push(...weightGradClPosition(cb, ob, 'd', 'e', '        '), '      }');
  }
  shared.push('      dy_at += 4u * dy_row;', '    }');
  // Whether the 4 lanes walk the same positions of the same dy block (all of them, or the plain loop runs).
  const together =
    '  let together = subgroupAll(start == subgroupBroadcast(start, 0u) && dy_lo == subgroupBroadcast(dy_lo, 0u));';
  return {
    ...subgroupTemplate(lanes),
    PLAIN: plain.join('\n'),
    TOGETHER: lanes ? together : '',
    SHARED: lanes ? shared.join('\n') : '',
  };
}

/**
 * The stores of conv2d.wgsl and conv2d_cl.wgsl: each accumulator of an OB-channel x PB-position block to its
 * 4 output channels at its position.
 */
export function storeTemplate(ob: number, pb: number): string {
  const lines: string[] = [];
  for (let v = 0; v < ob / 4; v++)
    for (let half = 0; half < pb / 4; half++) {
      const acc = accumulator(v, half, pb);
      const [q, n, r] = half ? ['q2', 'n2', 'r2'] : ['q', 'n', 'r'];
      const channel = v ? `o_local + ${4 * v}u` : 'o_local';
      for (const [j, lane] of ['x', 'y', 'z', 'w'].entries())
        lines.push(`    store(${q}.${lane}, ${n}.${lane}, ${r}.${lane}, g, ${channel}, ${acc}${j});`);
    }
  return lines.join('\n');
}
