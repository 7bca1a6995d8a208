// What MaxPool2d and AvgPool2d share: the window parameters and the output-size rule.

import { PROBLEMS } from '../problems.ts';
import { bool, dimsText, pair, pyPair } from './params.ts';
import { fail, needImage, ok, outputTooSmall, poolOut, windowTooLarge } from './shapes.ts';
import type { Inference, Params, Shape } from './types.ts';

export const windowParams = {
  kernel_size: { type: 'pair', default: 2, min: 1, help: 'Height and width of the pooling window.' },
  stride: {
    type: 'pair',
    default: null,
    min: 1,
    nullable: true,
    help: 'Step between windows; empty means the kernel size.',
  },
  padding: {
    type: 'pair',
    default: 0,
    min: 0,
    help: 'Implicit padding on each border (at most half the kernel).',
  },
  ceil_mode: { type: 'bool', default: false, help: 'Round the output size up instead of down.' },
} as const;

/** The stride, which defaults to the kernel size as in PyTorch. */
export function poolStride(params: Params): [number, number] {
  return params.stride === null || params.stride === undefined
    ? pair(params, 'kernel_size')
    : pair(params, 'stride');
}

export function inferPool(kind: string, input: Shape, params: Params, dilation: [number, number]): Inference {
  const rank = needImage(kind, input);
  if (rank) return fail(rank);
  const [c, h, w] = input as [number, number, number];
  const [kh, kw] = pair(params, 'kernel_size');
  const [sh, sw] = poolStride(params);
  const [ph, pw] = pair(params, 'padding');
  if (ph * 2 > kh || pw * 2 > kw)
    return fail({
      code: PROBLEMS.badParam.code,
      param: 'padding',
      message: `${kind}'s padding must be at most half the kernel size; it is ${pyPair([ph, pw])} for a ${dimsText([kh, kw])} kernel.`,
      expected: `padding <= ${pyPair([Math.floor(kh / 2), Math.floor(kw / 2)])}`,
      arrived: pyPair([ph, pw]),
    });
  const spanH = dilation[0] * (kh - 1) + 1;
  const spanW = dilation[1] * (kw - 1) + 1;
  if (spanH > h + 2 * ph) return fail(windowTooLarge(kind, 'high', h, ph, spanH));
  if (spanW > w + 2 * pw) return fail(windowTooLarge(kind, 'wide', w, pw, spanW));
  const ceil = bool(params, 'ceil_mode');
  const oh = poolOut(h, kh, sh, ph, dilation[0], ceil);
  const ow = poolOut(w, kw, sw, pw, dilation[1], ceil);
  if (oh < 1 || ow < 1) return fail(outputTooSmall(kind, oh, ow));
  return ok([c, oh, ow], params);
}

/** `2x2 s2` */
export function describePool(params: Params): string {
  const s = poolStride(params);
  const p = pair(params, 'padding');
  const pad = p[0] || p[1] ? ` p${p[0] === p[1] ? p[0] : dimsText(p)}` : '';
  return `${dimsText(pair(params, 'kernel_size'))} s${s[0] === s[1] ? s[0] : dimsText(s)}${pad}`;
}

/** Keyword arguments in PyTorch's spelling, leaving out defaults. */
export function poolKeywords(params: Params): string[] {
  const parts = [`kernel_size=${pyPair(pair(params, 'kernel_size'))}`];
  if (params.stride !== null && params.stride !== undefined)
    parts.push(`stride=${pyPair(pair(params, 'stride'))}`);
  const p = pair(params, 'padding');
  if (p[0] || p[1]) parts.push(`padding=${pyPair(p)}`);
  if (bool(params, 'ceil_mode')) parts.push('ceil_mode=True');
  return parts;
}
