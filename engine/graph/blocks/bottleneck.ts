// Bottleneck block: 1x1 reduce, 3x3, 1x1 expand (x4), with a shortcut, as torchvision's Bottleneck (ResNet-50).

import { int, withDefaults } from '../../layers/params.ts';
import type { GraphBuilder } from '../builder.ts';
import type { BlockDef } from './types.ts';

export const Bottleneck: BlockDef = {
  kind: 'Bottleneck',
  summary:
    '1x1 conv to narrow, 3x3 conv, 1x1 conv to widen 4x, plus a shortcut: far fewer parameters than two 3x3 convs.',
  params: {
    in_channels: { type: 'int', default: 256, min: 1, help: 'Channels arriving at the block.' },
    width: {
      type: 'int',
      default: 64,
      min: 1,
      help: 'Channels of the narrow 3x3 convolution; the block outputs 4 x width.',
    },
    stride: { type: 'int', default: 1, min: 1, help: 'Stride of the 3x3 convolution (and the shortcut).' },
  },
  build(b: GraphBuilder, input: string, raw, name) {
    const p = withDefaults(this.params, raw);
    const cin = int(p, 'in_channels');
    const width = int(p, 'width');
    const stride = int(p, 'stride');
    const cout = width * 4;
    return b.group(
      name,
      () => {
        const conv1 = b.layer(
          'Conv2d',
          { in_channels: cin, out_channels: width, kernel_size: 1, bias: false },
          [input],
          'conv1',
        );
        const bn1 = b.layer('BatchNorm2d', { num_features: width }, [conv1], 'bn1');
        const relu1 = b.layer('ReLU', { inplace: true }, [bn1], 'relu');
        const conv2 = b.layer(
          'Conv2d',
          { in_channels: width, out_channels: width, kernel_size: 3, stride, padding: 1, bias: false },
          [relu1],
          'conv2',
        );
        const bn2 = b.layer('BatchNorm2d', { num_features: width }, [conv2], 'bn2');
        const relu2 = b.layer('ReLU', { inplace: true }, [bn2], 'relu_2');
        const conv3 = b.layer(
          'Conv2d',
          { in_channels: width, out_channels: cout, kernel_size: 1, bias: false },
          [relu2],
          'conv3',
        );
        const bn3 = b.layer('BatchNorm2d', { num_features: cout }, [conv3], 'bn3');
        let shortcut = input;
        if (stride !== 1 || cin !== cout)
          shortcut = b.sequential('downsample', input, [
            ['Conv2d', { in_channels: cin, out_channels: cout, kernel_size: 1, stride, bias: false }],
            ['BatchNorm2d', { num_features: cout }],
          ]);
        const sum = b.layer('Add', {}, [bn3, shortcut], 'add');
        return b.layer('ReLU', { inplace: true }, [sum], 'relu_out');
      },
      { kind: 'Bottleneck', params: p },
    );
  },
};
