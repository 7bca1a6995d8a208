// Residual block: conv-BN-ReLU-conv-BN plus an identity or 1x1-conv+BN shortcut, then Add.
// style 'basic' is torchvision's BasicBlock; style 'chapter' is the course's ResBlk.

import { int, str, withDefaults } from '../../layers/params.ts';
import type { GraphBuilder } from '../builder.ts';
import type { BlockDef } from './types.ts';

export const Residual: BlockDef = {
  kind: 'Residual',
  summary: 'Two 3x3 convolutions with BatchNorm and a shortcut that adds the input back (ResNet).',
  params: {
    in_channels: { type: 'int', default: 16, min: 1, help: 'Channels arriving at the block.' },
    out_channels: { type: 'int', default: 16, min: 1, help: 'Channels leaving the block.' },
    stride: {
      type: 'int',
      default: 1,
      min: 1,
      help: 'Stride of the first convolution (and the shortcut); 2 halves the size.',
    },
    style: {
      type: 'enum',
      options: ['basic', 'chapter'],
      default: 'basic',
      help: "basic: torchvision's BasicBlock (no conv bias, ReLU after the add, shortcut 'downsample'); chapter: the course's ResBlk (conv bias, no ReLU after the add, shortcut 'extra').",
    },
  },
  build(b: GraphBuilder, input: string, raw, name) {
    const p = withDefaults(this.params, raw);
    const cin = int(p, 'in_channels');
    const cout = int(p, 'out_channels');
    const stride = int(p, 'stride');
    const basic = str(p, 'style') === 'basic';
    const bias = !basic;
    return b.group(
      name,
      () => {
        const conv1 = b.layer(
          'Conv2d',
          { in_channels: cin, out_channels: cout, kernel_size: 3, stride, padding: 1, bias },
          [input],
          'conv1',
        );
        const bn1 = b.layer('BatchNorm2d', { num_features: cout }, [conv1], 'bn1');
        const relu1 = b.layer('ReLU', { inplace: basic }, [bn1], 'relu');
        const conv2 = b.layer(
          'Conv2d',
          { in_channels: cout, out_channels: cout, kernel_size: 3, padding: 1, bias },
          [relu1],
          'conv2',
        );
        const bn2 = b.layer('BatchNorm2d', { num_features: cout }, [conv2], 'bn2');
        let shortcut = input;
        if (stride !== 1 || cin !== cout)
          shortcut = b.sequential(basic ? 'downsample' : 'extra', input, [
            ['Conv2d', { in_channels: cin, out_channels: cout, kernel_size: 1, stride, bias }],
            ['BatchNorm2d', { num_features: cout }],
          ]);
        const sum = b.layer('Add', {}, [bn2, shortcut], 'add');
        return basic ? b.layer('ReLU', { inplace: true }, [sum], 'relu_out') : sum;
      },
      { kind: 'Residual', params: p },
    );
  },
};
