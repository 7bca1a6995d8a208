// Small networks for 3x32x32 CIFAR-10 that train in reasonable time on a laptop (each under 1M parameters).

import { GraphBuilder } from '../engine/graph/builder.ts';
import type { Graph } from '../engine/graph/types.ts';
import { densenet } from './imagenet.ts';
import { input, output, poolAndFlatten, resnetStage, vggFeatures } from './parts.ts';

const IMAGE = [3, 32, 32] as const;
const CLASSES = 10;

/** ResNet-20 (He et al. 2015, with 1x1-conv shortcuts): a 3x3 stem, three stages of 3 basic blocks (16, 32, 64). */
export function resnetCifar(): Graph {
  const b = new GraphBuilder();
  let x = input(b, IMAGE);
  x = b.layer(
    'Conv2d',
    { in_channels: 3, out_channels: 16, kernel_size: 3, padding: 1, bias: false },
    [x],
    'conv1',
  );
  x = b.layer('BatchNorm2d', { num_features: 16 }, [x], 'bn1');
  x = b.layer('ReLU', { inplace: true }, [x], 'relu');
  let channels = 16;
  [16, 32, 64].forEach((planes, i) => {
    [x, channels] = resnetStage(
      b,
      x,
      { block: 'basic', inChannels: channels, planes, blocks: 3, stride: i === 0 ? 1 : 2 },
      `layer${i + 1}`,
    );
  });
  x = poolAndFlatten(b, x, 1);
  x = b.layer('Linear', { in_features: channels, out_features: CLASSES }, [x], 'fc');
  output(b, x, CLASSES);
  return b.graph;
}

/** A small VGG with BatchNorm: three stages of two 3x3 convolutions (32, 64, 128), then a 256-unit classifier. */
export function vggCifar(): Graph {
  const b = new GraphBuilder();
  let [x, channels] = vggFeatures(b, input(b, IMAGE), 3, [32, 32, 'M', 64, 64, 'M', 128, 128, 'M'], true);
  x = b.layer('Flatten', {}, [x], 'flatten');
  x = b.sequential('classifier', x, [
    ['Linear', { in_features: channels * 4 * 4, out_features: 256 }],
    ['ReLU', { inplace: true }],
    ['Dropout', { p: 0.5 }],
    ['Linear', { in_features: 256, out_features: CLASSES }],
  ]);
  output(b, x, CLASSES);
  return b.graph;
}

/** A small DenseNet-BC: a 3x3 stem of 24 channels, three dense blocks of 6 layers, growth rate 12. */
export const densenetCifar = (): Graph =>
  densenet({
    image: IMAGE,
    classes: CLASSES,
    growthRate: 12,
    blocks: [6, 6, 6],
    initFeatures: 24,
    bnSize: 4,
    stem: 'cifar',
  });
