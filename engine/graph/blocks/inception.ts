// Inception block: four branches (1x1; 1x1-3x3; 1x1-3x3; pool-1x1) joined on channels, as torchvision's GoogLeNet.

import { int, withDefaults } from '../../layers/params.ts';
import type { GraphBuilder } from '../builder.ts';
import type { BlockDef } from './types.ts';

/**
 * torchvision's BasicConv2d: a group `name` holding `conv` (no bias), `bn` (eps 0.001) and a ReLU.
 * Returns the id of the ReLU. GoogLeNet's stem (conv1, conv2, conv3) is made of these too.
 */
export function basicConv2d(
  b: GraphBuilder,
  input: string,
  conv: { in_channels: number; out_channels: number; kernel_size: number; stride?: number; padding?: number },
  name: string,
): string {
  return b.group(name, () => {
    const c = b.layer('Conv2d', { stride: 1, padding: 0, ...conv, bias: false }, [input], 'conv');
    const bn = b.layer('BatchNorm2d', { num_features: conv.out_channels, eps: 0.001 }, [c], 'bn');
    return b.layer('ReLU', { inplace: true }, [bn], 'relu');
  });
}

const channels = (help: string, fallback: number) =>
  ({ type: 'int', default: fallback, min: 1, help }) as const;

export const Inception: BlockDef = {
  kind: 'Inception',
  summary:
    'Four parallel branches (1x1 conv; 1x1 then 3x3; 1x1 then a second 3x3; 3x3 max-pool then 1x1) concatenated on channels (GoogLeNet).',
  params: {
    in_channels: channels('Channels arriving at the block.', 192),
    ch1x1: channels('Output channels of branch 1, the lone 1x1 convolution.', 64),
    ch3x3red: channels('Branch 2: channels of the 1x1 convolution that narrows before the 3x3.', 96),
    ch3x3: channels('Branch 2: output channels of the 3x3 convolution.', 128),
    ch5x5red: channels(
      'Branch 3: channels of the 1x1 convolution that narrows before the second kernel.',
      16,
    ),
    ch5x5: channels(
      "Branch 3: output channels. NOTE: torchvision (and so this block) uses a 3x3 kernel here, not the paper's 5x5.",
      32,
    ),
    pool_proj: channels('Branch 4: output channels of the 1x1 convolution after the max-pool.', 32),
  },
  build(b: GraphBuilder, input: string, raw, name) {
    const p = withDefaults(this.params, raw);
    const cin = int(p, 'in_channels');
    const ch3x3red = int(p, 'ch3x3red');
    const ch5x5red = int(p, 'ch5x5red');
    return b.group(
      name,
      () => {
        const branch1 = basicConv2d(
          b,
          input,
          { in_channels: cin, out_channels: int(p, 'ch1x1'), kernel_size: 1 },
          'branch1',
        );
        const branch2 = b.group('branch2', () => {
          const reduce = basicConv2d(
            b,
            input,
            { in_channels: cin, out_channels: ch3x3red, kernel_size: 1 },
            '0',
          );
          return basicConv2d(
            b,
            reduce,
            { in_channels: ch3x3red, out_channels: int(p, 'ch3x3'), kernel_size: 3, padding: 1 },
            '1',
          );
        });
        const branch3 = b.group('branch3', () => {
          const reduce = basicConv2d(
            b,
            input,
            { in_channels: cin, out_channels: ch5x5red, kernel_size: 1 },
            '0',
          );
          // NOTE: kernel 3, not 5: torchvision's known deviation (pytorch/vision#906), kept for its weights.
          return basicConv2d(
            b,
            reduce,
            { in_channels: ch5x5red, out_channels: int(p, 'ch5x5'), kernel_size: 3, padding: 1 },
            '1',
          );
        });
        const branch4 = b.group('branch4', () => {
          const pool = b.layer(
            'MaxPool2d',
            { kernel_size: 3, stride: 1, padding: 1, ceil_mode: true },
            [input],
            '0',
          );
          return basicConv2d(
            b,
            pool,
            { in_channels: cin, out_channels: int(p, 'pool_proj'), kernel_size: 1 },
            '1',
          );
        });
        return b.layer('Concat', {}, [branch1, branch2, branch3, branch4], 'concat');
      },
      { kind: 'Inception', params: p },
    );
  },
};
