// Conv2d: a bank of learned kernels slid over the image, as torch.nn.Conv2d.

import { PROBLEMS } from '../problems.ts';
import { bool, dimsText, int, pair, pyPair } from './params.ts';
import { channelMismatch, fail, needImage, ok, outputTooSmall, windowOut, windowTooLarge } from './shapes.ts';
import type { LayerDef, LayerIssue, Params, Shape, StateEntry } from './types.ts';

/** Keyword arguments that differ from PyTorch's defaults, shared by Conv2d and ConvTranspose2d. */
export function convKeywords(params: Params, extra: [string, string][] = []): string {
  const parts = [`kernel_size=${pyPair(pair(params, 'kernel_size'))}`];
  const stride = pair(params, 'stride');
  const padding = pair(params, 'padding');
  if (stride[0] !== 1 || stride[1] !== 1) parts.push(`stride=${pyPair(stride)}`);
  if (padding[0] !== 0 || padding[1] !== 0) parts.push(`padding=${pyPair(padding)}`);
  for (const [name, value] of extra) parts.push(`${name}=${value}`);
  const dilation = pair(params, 'dilation');
  if (dilation[0] !== 1 || dilation[1] !== 1) parts.push(`dilation=${pyPair(dilation)}`);
  if (int(params, 'groups') !== 1) parts.push(`groups=${int(params, 'groups')}`);
  if (!bool(params, 'bias')) parts.push('bias=False');
  return parts.join(', ');
}

/** `5x5 s1 p2, 6 ch` */
export function convDescribe(params: Params): string {
  const s = pair(params, 'stride');
  const p = pair(params, 'padding');
  const step = s[0] === s[1] ? `s${s[0]}` : `s${dimsText(s)}`;
  const pad = p[0] === p[1] ? `p${p[0]}` : `p${dimsText(p)}`;
  return `${dimsText(pair(params, 'kernel_size'))} ${step} ${pad}, ${int(params, 'out_channels')} ch`;
}

/** What Conv2d and ConvTranspose2d check first: an image arrives, in_channels fits, groups divide the channels. */
export function convInputIssue(kind: string, input: Shape, params: Params): LayerIssue | null {
  const rank = needImage(kind, input);
  if (rank) return rank;
  const c = input[0]!;
  const declared = params.in_channels;
  if (declared !== 'auto' && declared !== c)
    return channelMismatch(kind, 'in_channels', declared as number, c, input);
  const out = int(params, 'out_channels');
  const groups = int(params, 'groups');
  if (c % groups !== 0 || out % groups !== 0)
    return {
      code: PROBLEMS.groupsMismatch.code,
      param: 'groups',
      message: `groups = ${groups} must divide both in_channels (${c}) and out_channels (${out}).`,
      expected: `a divisor of ${c} and ${out}`,
      arrived: String(groups),
    };
  return null;
}

/** Weight and bias with PyTorch's kaiming-uniform(a=sqrt(5)) bound 1/sqrt(fan_in). */
export function convState(
  weightShape: number[],
  fanIn: number,
  outChannels: number,
  bias: boolean,
): StateEntry[] {
  const bound = 1 / Math.sqrt(fanIn);
  const entries: StateEntry[] = [
    {
      name: 'weight',
      shape: weightShape,
      dtype: 'float32',
      role: 'parameter',
      init: { kind: 'uniform', bound },
    },
  ];
  if (bias)
    entries.push({
      name: 'bias',
      shape: [outChannels],
      dtype: 'float32',
      role: 'parameter',
      init: { kind: 'uniform', bound },
    });
  return entries;
}

export const convParams = {
  in_channels: {
    type: 'int',
    default: 'auto',
    min: 1,
    auto: true,
    help: 'Channels of the input; auto takes them from the incoming tensor.',
  },
  out_channels: {
    type: 'int',
    default: 16,
    min: 1,
    help: 'Number of kernels, so the number of output channels (feature maps).',
  },
  kernel_size: { type: 'pair', default: 3, min: 1, help: 'Height and width of each kernel.' },
  stride: { type: 'pair', default: 1, min: 1, help: 'Step between kernel positions; 2 halves the image.' },
  padding: {
    type: 'pair',
    default: 0,
    min: 0,
    help: 'Zeros added on each border; padding 1 with a 3x3 kernel keeps the size.',
  },
  dilation: { type: 'pair', default: 1, min: 1, help: 'Spacing between kernel taps.' },
  groups: {
    type: 'int',
    default: 1,
    min: 1,
    help: 'Split channels into groups; groups = channels is a depthwise convolution.',
  },
  bias: { type: 'bool', default: true, help: 'Learn an additive bias per output channel.' },
} as const;

export const Conv2d: LayerDef = {
  kind: 'Conv2d',
  category: 'convolution',
  summary: 'Slides learned kernels over the image; each kernel makes one feature map.',
  params: convParams,
  arity: { min: 1, max: 1 },
  infer(inputs, params) {
    const input = inputs[0]!;
    const mismatch = convInputIssue('Conv2d', input, params);
    if (mismatch) return fail(mismatch);
    const [c, h, w] = input as [number, number, number];
    const out = int(params, 'out_channels');
    const [kh, kw] = pair(params, 'kernel_size');
    const [sh, sw] = pair(params, 'stride');
    const [ph, pw] = pair(params, 'padding');
    const [dh, dw] = pair(params, 'dilation');
    const spanH = dh * (kh - 1) + 1;
    const spanW = dw * (kw - 1) + 1;
    if (spanH > h + 2 * ph) return fail(windowTooLarge('Conv2d', 'high', h, ph, spanH));
    if (spanW > w + 2 * pw) return fail(windowTooLarge('Conv2d', 'wide', w, pw, spanW));
    const oh = windowOut(h, kh, sh, ph, dh);
    const ow = windowOut(w, kw, sw, pw, dw);
    if (oh < 1 || ow < 1) return fail(outputTooSmall('Conv2d', oh, ow));
    return ok([out, oh, ow], { ...params, in_channels: c });
  },
  state(params) {
    const cin = int(params, 'in_channels');
    const out = int(params, 'out_channels');
    const [kh, kw] = pair(params, 'kernel_size');
    const perGroup = cin / int(params, 'groups');
    return convState([out, perGroup, kh, kw], perGroup * kh * kw, out, bool(params, 'bias'));
  },
  macs(params, _inputs, output) {
    const [kh, kw] = pair(params, 'kernel_size');
    const perGroup = int(params, 'in_channels') / int(params, 'groups');
    return output[0]! * output[1]! * output[2]! * perGroup * kh * kw;
  },
  describe: convDescribe,
  torch: (params) =>
    `nn.Conv2d(${int(params, 'in_channels')}, ${int(params, 'out_channels')}, ${convKeywords(params)})`,
  lower: (b, p) =>
    b.op(
      'conv2d',
      {
        stride: pair(p, 'stride'),
        padding: pair(p, 'padding'),
        dilation: pair(p, 'dilation'),
        groups: int(p, 'groups'),
        bias: bool(p, 'bias'),
      },
      { x: b.inputs[0]!, weight: b.state('weight'), ...(bool(p, 'bias') ? { bias: b.state('bias') } : {}) },
    ),
};
