// ConvTranspose2d: the learned upsampling convolution, as torch.nn.ConvTranspose2d.

import { PROBLEMS } from '../problems.ts';
import { convDescribe, convInputIssue, convKeywords, convParams, convState } from './conv2d.ts';
import { bool, int, pair, pyPair } from './params.ts';
import { fail, ok, outputTooSmall } from './shapes.ts';
import type { LayerDef } from './types.ts';

export const ConvTranspose2d: LayerDef = {
  kind: 'ConvTranspose2d',
  category: 'convolution',
  summary: 'Transposed convolution: spreads each pixel through a kernel, so stride > 1 upsamples.',
  params: {
    ...convParams,
    output_padding: {
      type: 'pair',
      default: 0,
      min: 0,
      help: 'Extra rows and columns added on one side of the output.',
    },
  },
  arity: { min: 1, max: 1 },
  infer(inputs, params) {
    const input = inputs[0]!;
    const mismatch = convInputIssue('ConvTranspose2d', input, params);
    if (mismatch) return fail(mismatch);
    const [c, h, w] = input as [number, number, number];
    const out = int(params, 'out_channels');
    const [kh, kw] = pair(params, 'kernel_size');
    const [sh, sw] = pair(params, 'stride');
    const [ph, pw] = pair(params, 'padding');
    const [dh, dw] = pair(params, 'dilation');
    const [oph, opw] = pair(params, 'output_padding');
    if ((oph >= sh && oph >= dh) || (opw >= sw && opw >= dw))
      return fail({
        code: PROBLEMS.badParam.code,
        param: 'output_padding',
        message: `output_padding must be smaller than stride or dilation; it is ${pyPair([oph, opw])} with stride ${pyPair([sh, sw])}.`,
        expected: 'output_padding < stride or < dilation',
        arrived: pyPair([oph, opw]),
      });
    const oh = (h - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1;
    const ow = (w - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1;
    if (oh < 1 || ow < 1) return fail(outputTooSmall('ConvTranspose2d', oh, ow));
    return ok([out, oh, ow], { ...params, in_channels: c });
  },
  state(params) {
    const cin = int(params, 'in_channels');
    const out = int(params, 'out_channels');
    const [kh, kw] = pair(params, 'kernel_size');
    const perGroup = out / int(params, 'groups');
    // NOTE: PyTorch's fan_in for a transposed conv weight (in, out/groups, kh, kw) is dim 1 x kh x kw.
    return convState([cin, perGroup, kh, kw], perGroup * kh * kw, out, bool(params, 'bias'));
  },
  macs(params, inputs) {
    const [kh, kw] = pair(params, 'kernel_size');
    const input = inputs[0]!;
    const perGroup = int(params, 'out_channels') / int(params, 'groups');
    return input[0]! * input[1]! * input[2]! * perGroup * kh * kw;
  },
  describe: convDescribe,
  torch(params) {
    const op = pair(params, 'output_padding');
    const extra: [string, string][] = op[0] !== 0 || op[1] !== 0 ? [['output_padding', pyPair(op)]] : [];
    return `nn.ConvTranspose2d(${int(params, 'in_channels')}, ${int(params, 'out_channels')}, ${convKeywords(params, extra)})`;
  },
  lower: (b, p) =>
    b.op(
      'conv_transpose2d',
      {
        stride: pair(p, 'stride'),
        padding: pair(p, 'padding'),
        outputPadding: pair(p, 'output_padding'),
        dilation: pair(p, 'dilation'),
        groups: int(p, 'groups'),
        bias: bool(p, 'bias'),
      },
      { x: b.inputs[0]!, weight: b.state('weight'), ...(bool(p, 'bias') ? { bias: b.state('bias') } : {}) },
    ),
};
