// DenseNet layer: BN-ReLU-1x1 conv-BN-ReLU-3x3 conv making growth_rate new channels, concatenated after its input.

import { int, num, withDefaults } from '../../layers/params.ts';
import type { GraphBuilder } from '../builder.ts';
import type { BlockDef } from './types.ts';

export const DenseLayer: BlockDef = {
  kind: 'DenseLayer',
  summary:
    "One layer of a DenseNet block: makes growth_rate new feature maps and concatenates them after its input, so channels grow by growth_rate (torchvision's _DenseLayer).",
  params: {
    in_channels: {
      type: 'int',
      default: 64,
      min: 1,
      help: 'Channels arriving: all earlier feature maps of the block, concatenated.',
    },
    growth_rate: { type: 'int', default: 32, min: 1, help: 'New channels this layer adds (k in the paper).' },
    bn_size: {
      type: 'int',
      default: 4,
      min: 1,
      help: 'The 1x1 bottleneck convolution has bn_size x growth_rate channels.',
    },
    drop_rate: {
      type: 'float',
      default: 0,
      min: 0,
      max: 1,
      help: 'Dropout on the new feature maps; 0 adds no Dropout.',
    },
  },
  build(b: GraphBuilder, input: string, raw, name) {
    const p = withDefaults(this.params, raw);
    const cin = int(p, 'in_channels');
    const growth = int(p, 'growth_rate');
    const width = int(p, 'bn_size') * growth;
    const dropRate = num(p, 'drop_rate');
    return b.group(
      name,
      () => {
        const norm1 = b.layer('BatchNorm2d', { num_features: cin }, [input], 'norm1');
        const relu1 = b.layer('ReLU', { inplace: true }, [norm1], 'relu1');
        const conv1 = b.layer(
          'Conv2d',
          { in_channels: cin, out_channels: width, kernel_size: 1, stride: 1, bias: false },
          [relu1],
          'conv1',
        );
        const norm2 = b.layer('BatchNorm2d', { num_features: width }, [conv1], 'norm2');
        const relu2 = b.layer('ReLU', { inplace: true }, [norm2], 'relu2');
        let features = b.layer(
          'Conv2d',
          { in_channels: width, out_channels: growth, kernel_size: 3, stride: 1, padding: 1, bias: false },
          [relu2],
          'conv2',
        );
        if (dropRate > 0) features = b.layer('Dropout', { p: dropRate }, [features], 'dropout');
        // NOTE: torchvision's _DenseBlock keeps a list and concatenates it before each layer; concatenating
        // [input, new] here gives each next layer cat([init, new_1, ..., new_i]) in the same channel order.
        return b.layer('Concat', {}, [input, features], 'concat');
      },
      { kind: 'DenseLayer', params: p },
    );
  },
};

/**
 * torchvision's _DenseBlock: a group `name` of `num_layers` DenseLayers `denselayer1`, `denselayer2`, ...
 * Returns the id of the last concatenation, which carries in_channels + num_layers x growth_rate channels.
 */
export function denseBlock(
  b: GraphBuilder,
  input: string,
  block: {
    num_layers: number;
    in_channels: number;
    growth_rate: number;
    bn_size: number;
    drop_rate?: number;
  },
  name: string,
): string {
  return b.group(name, () => {
    let x = input;
    for (let i = 0; i < block.num_layers; i++)
      x = DenseLayer.build(
        b,
        x,
        {
          in_channels: block.in_channels + i * block.growth_rate,
          growth_rate: block.growth_rate,
          bn_size: block.bn_size,
          drop_rate: block.drop_rate ?? 0,
        },
        `denselayer${i + 1}`,
      );
    return x;
  });
}
