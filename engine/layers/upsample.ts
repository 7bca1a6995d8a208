// Upsample: nearest or bilinear resizing by a scale factor or to a size, as torch.nn.Upsample / F.interpolate.

import { PROBLEMS } from '../problems.ts';
import { bool, dimsText, num, pair, pyPair, str } from './params.ts';
import { fail, needImage, ok, outputTooSmall } from './shapes.ts';
import type { LayerDef } from './types.ts';

export const Upsample: LayerDef = {
  kind: 'Upsample',
  category: 'pooling',
  summary: 'Resizes the image by a scale factor or to a fixed size; channels are unchanged.',
  params: {
    size: {
      type: 'pair',
      default: null,
      min: 1,
      nullable: true,
      help: 'Output height and width; leave empty to use scale_factor.',
    },
    scale_factor: {
      type: 'float',
      default: 2,
      min: 0,
      nullable: true,
      help: 'Multiplier of height and width; leave empty to use size.',
    },
    mode: {
      type: 'enum',
      options: ['nearest', 'bilinear'],
      default: 'nearest',
      help: 'How new pixels are computed.',
    },
    align_corners: {
      type: 'bool',
      default: false,
      help: 'Bilinear only: align the corner pixels of input and output.',
    },
  },
  arity: { min: 1, max: 1 },
  infer(inputs, params) {
    const input = inputs[0]!;
    const rank = needImage('Upsample', input);
    if (rank) return fail(rank);
    const hasSize = params.size !== null && params.size !== undefined;
    const hasScale = params.scale_factor !== null && params.scale_factor !== undefined;
    if (hasSize === hasScale)
      return fail({
        code: PROBLEMS.badParam.code,
        param: hasSize ? 'scale_factor' : 'size',
        message: 'Upsample needs exactly one of size and scale_factor. Clear one of them.',
        expected: 'size or scale_factor',
        arrived: hasSize ? 'both' : 'neither',
      });
    if (bool(params, 'align_corners') && str(params, 'mode') === 'nearest')
      return fail({
        code: PROBLEMS.badParam.code,
        param: 'align_corners',
        message: 'align_corners only applies to bilinear mode. Turn it off, or switch mode to bilinear.',
        expected: 'align_corners off for nearest',
        arrived: 'on',
        fix: { kind: 'setParam', param: 'align_corners', value: false, label: 'Turn align_corners off' },
      });
    const [c, h, w] = input as [number, number, number];
    const [oh, ow] = hasSize
      ? pair(params, 'size')
      : [Math.floor(h * num(params, 'scale_factor')), Math.floor(w * num(params, 'scale_factor'))];
    if (oh < 1 || ow < 1) return fail(outputTooSmall('Upsample', oh, ow));
    return ok([c, oh, ow], params);
  },
  state: () => [],
  macs: () => 0,
  describe: (params) =>
    `${params.size !== null && params.size !== undefined ? `to ${dimsText(pair(params, 'size'))}` : `x${params.scale_factor}`} ${params.mode}`,
  torch(params) {
    const parts =
      params.size !== null && params.size !== undefined
        ? [`size=${pyPair(pair(params, 'size'))}`]
        : [
            `scale_factor=${Number.isInteger(num(params, 'scale_factor')) ? `${num(params, 'scale_factor')}.0` : num(params, 'scale_factor')}`,
          ];
    parts.push(`mode='${str(params, 'mode')}'`);
    if (str(params, 'mode') === 'bilinear')
      parts.push(`align_corners=${bool(params, 'align_corners') ? 'True' : 'False'}`);
    return `nn.Upsample(${parts.join(', ')})`;
  },
  lower(b, params) {
    const x = b.inputs[0]!;
    const hasSize = params.size !== null && params.size !== undefined;
    const factor = hasSize ? null : num(params, 'scale_factor');
    const bilinear = str(params, 'mode') === 'bilinear';
    return b.op(
      'upsample',
      {
        mode: bilinear ? 'bilinear' : 'nearest',
        size: [b.output[1]!, b.output[2]!],
        scale: factor === null ? null : [factor, factor],
        alignCorners: bilinear && bool(params, 'align_corners'),
      },
      { x },
    );
  },
};
