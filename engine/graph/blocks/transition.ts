// DenseNet transition: BN, ReLU, 1x1 conv to fewer channels, 2x2 average pool (torchvision's _Transition).

import { int, withDefaults } from '../../layers/params.ts';
import type { GraphBuilder } from '../builder.ts';
import type { BlockDef } from './types.ts';

export const Transition: BlockDef = {
  kind: 'Transition',
  summary:
    'Between DenseNet blocks: BatchNorm, ReLU, a 1x1 convolution that cuts the channels, and a 2x2 average pool that halves the size.',
  params: {
    in_channels: { type: 'int', default: 256, min: 1, help: 'Channels arriving from the dense block.' },
    out_channels: {
      type: 'int',
      default: 128,
      min: 1,
      help: 'Channels leaving; DenseNet-BC halves them (compression 0.5).',
    },
  },
  build(b: GraphBuilder, input: string, raw, name) {
    const p = withDefaults(this.params, raw);
    const cin = int(p, 'in_channels');
    return b.group(
      name,
      () => {
        const norm = b.layer('BatchNorm2d', { num_features: cin }, [input], 'norm');
        const relu = b.layer('ReLU', { inplace: true }, [norm], 'relu');
        const conv = b.layer(
          'Conv2d',
          { in_channels: cin, out_channels: int(p, 'out_channels'), kernel_size: 1, stride: 1, bias: false },
          [relu],
          'conv',
        );
        return b.layer('AvgPool2d', { kernel_size: 2, stride: 2 }, [conv], 'pool');
      },
      { kind: 'Transition', params: p },
    );
  },
};
