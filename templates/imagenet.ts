// The torchvision 0.14 classics at 3x224x224 and 1000 classes, with torchvision's module paths and state_dict.

import { denseBlock } from '../engine/graph/blocks/dense-layer.ts';
import { basicConv2d, Inception } from '../engine/graph/blocks/inception.ts';
import { Transition } from '../engine/graph/blocks/transition.ts';
import { GraphBuilder } from '../engine/graph/builder.ts';
import type { Graph } from '../engine/graph/types.ts';
import { input, output, poolAndFlatten, resnetStage, type VggEntry, vggFeatures } from './parts.ts';

const IMAGE = [3, 224, 224] as const;
const CLASSES = 1000;

/** torchvision.models.resnet18 / resnet50: conv1, bn1, relu, maxpool, layer1..4, avgpool, fc. */
export function resnet(
  block: 'basic' | 'bottleneck',
  blocks: readonly [number, number, number, number],
): Graph {
  const b = new GraphBuilder();
  let x = input(b, IMAGE);
  x = b.layer(
    'Conv2d',
    { in_channels: 3, out_channels: 64, kernel_size: 7, stride: 2, padding: 3, bias: false },
    [x],
    'conv1',
  );
  x = b.layer('BatchNorm2d', { num_features: 64 }, [x], 'bn1');
  x = b.layer('ReLU', { inplace: true }, [x], 'relu');
  x = b.layer('MaxPool2d', { kernel_size: 3, stride: 2, padding: 1 }, [x], 'maxpool');
  let channels = 64;
  blocks.forEach((count, i) => {
    [x, channels] = resnetStage(
      b,
      x,
      { block, inChannels: channels, planes: 64 * 2 ** i, blocks: count, stride: i === 0 ? 1 : 2 },
      `layer${i + 1}`,
    );
  });
  x = poolAndFlatten(b, x, 1);
  x = b.layer('Linear', { in_features: channels, out_features: CLASSES }, [x], 'fc');
  output(b, x, CLASSES);
  return b.graph;
}

/** torchvision's VGG: features, avgpool (7x7), classifier (4096-4096-classes with ReLU and Dropout). */
export function vgg(config: readonly VggEntry[]): Graph {
  const b = new GraphBuilder();
  let [x, channels] = vggFeatures(b, input(b, IMAGE), 3, config, false);
  x = poolAndFlatten(b, x, 7);
  x = b.sequential('classifier', x, [
    ['Linear', { in_features: channels * 7 * 7, out_features: 4096 }],
    ['ReLU', { inplace: true }],
    ['Dropout', { p: 0.5 }],
    ['Linear', { in_features: 4096, out_features: 4096 }],
    ['ReLU', { inplace: true }],
    ['Dropout', { p: 0.5 }],
    ['Linear', { in_features: 4096, out_features: CLASSES }],
  ]);
  output(b, x, CLASSES);
  return b.graph;
}

export const VGG11: readonly VggEntry[] = [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'];
// biome-ignore format: a VGG configuration reads best on one line, as in torchvision's cfgs.
export const VGG16: readonly VggEntry[] = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'];

/** torchvision.models.alexnet: features (five convolutions), avgpool (6x6), classifier. */
export function alexnet(): Graph {
  const b = new GraphBuilder();
  let x = b.sequential('features', input(b, IMAGE), [
    ['Conv2d', { in_channels: 3, out_channels: 64, kernel_size: 11, stride: 4, padding: 2 }],
    ['ReLU', { inplace: true }],
    ['MaxPool2d', { kernel_size: 3, stride: 2 }],
    ['Conv2d', { in_channels: 64, out_channels: 192, kernel_size: 5, padding: 2 }],
    ['ReLU', { inplace: true }],
    ['MaxPool2d', { kernel_size: 3, stride: 2 }],
    ['Conv2d', { in_channels: 192, out_channels: 384, kernel_size: 3, padding: 1 }],
    ['ReLU', { inplace: true }],
    ['Conv2d', { in_channels: 384, out_channels: 256, kernel_size: 3, padding: 1 }],
    ['ReLU', { inplace: true }],
    ['Conv2d', { in_channels: 256, out_channels: 256, kernel_size: 3, padding: 1 }],
    ['ReLU', { inplace: true }],
    ['MaxPool2d', { kernel_size: 3, stride: 2 }],
  ]);
  x = poolAndFlatten(b, x, 6);
  x = b.sequential('classifier', x, [
    ['Dropout', { p: 0.5 }],
    ['Linear', { in_features: 256 * 6 * 6, out_features: 4096 }],
    ['ReLU', { inplace: true }],
    ['Dropout', { p: 0.5 }],
    ['Linear', { in_features: 4096, out_features: 4096 }],
    ['ReLU', { inplace: true }],
    ['Linear', { in_features: 4096, out_features: CLASSES }],
  ]);
  output(b, x, CLASSES);
  return b.graph;
}

/** torchvision.models.googlenet(aux_logits=False): BasicConv2d stem, nine Inception blocks, dropout 0.2, fc. */
export function googlenet(): Graph {
  const b = new GraphBuilder();
  const pool = (x: string, kernel: number, name: string) =>
    b.layer('MaxPool2d', { kernel_size: kernel, stride: 2, ceil_mode: true }, [x], name);
  const inception = (
    x: string,
    name: string,
    c: readonly [number, number, number, number, number, number, number],
  ) =>
    Inception.build(
      b,
      x,
      {
        in_channels: c[0],
        ch1x1: c[1],
        ch3x3red: c[2],
        ch3x3: c[3],
        ch5x5red: c[4],
        ch5x5: c[5],
        pool_proj: c[6],
      },
      name,
    );
  let x = basicConv2d(
    b,
    input(b, IMAGE),
    { in_channels: 3, out_channels: 64, kernel_size: 7, stride: 2, padding: 3 },
    'conv1',
  );
  x = pool(x, 3, 'maxpool1');
  x = basicConv2d(b, x, { in_channels: 64, out_channels: 64, kernel_size: 1 }, 'conv2');
  x = basicConv2d(b, x, { in_channels: 64, out_channels: 192, kernel_size: 3, padding: 1 }, 'conv3');
  x = pool(x, 3, 'maxpool2');
  x = inception(x, 'inception3a', [192, 64, 96, 128, 16, 32, 32]);
  x = inception(x, 'inception3b', [256, 128, 128, 192, 32, 96, 64]);
  x = pool(x, 3, 'maxpool3');
  x = inception(x, 'inception4a', [480, 192, 96, 208, 16, 48, 64]);
  x = inception(x, 'inception4b', [512, 160, 112, 224, 24, 64, 64]);
  x = inception(x, 'inception4c', [512, 128, 128, 256, 24, 64, 64]);
  x = inception(x, 'inception4d', [512, 112, 144, 288, 32, 64, 64]);
  x = inception(x, 'inception4e', [528, 256, 160, 320, 32, 128, 128]);
  x = pool(x, 2, 'maxpool4');
  x = inception(x, 'inception5a', [832, 256, 160, 320, 32, 128, 128]);
  x = inception(x, 'inception5b', [832, 384, 192, 384, 48, 128, 128]);
  x = poolAndFlatten(b, x, 1);
  x = b.layer('Dropout', { p: 0.2 }, [x], 'dropout');
  x = b.layer('Linear', { in_features: 1024, out_features: CLASSES }, [x], 'fc');
  output(b, x, CLASSES);
  return b.graph;
}

/**
 * A torchvision DenseNet-BC: `features` (stem, dense blocks, transitions halving the channels, norm5), then
 * ReLU, global average pool, flatten, `classifier`. `stem` 'imagenet' is conv0 7x7/2 + norm0 + relu0 + pool0;
 * 'cifar' is a lone 3x3 conv0, as DenseNet-BC for 32x32 images.
 */
export function densenet(config: {
  image: readonly number[];
  classes: number;
  growthRate: number;
  blocks: readonly number[];
  initFeatures: number;
  bnSize: number;
  stem: 'imagenet' | 'cifar';
}): Graph {
  const b = new GraphBuilder();
  const [inChannels] = config.image;
  const image = input(b, config.image);
  let channels = config.initFeatures;
  let x = b.group('features', () => {
    let x = image;
    if (config.stem === 'imagenet') {
      x = b.layer(
        'Conv2d',
        {
          in_channels: inChannels!,
          out_channels: channels,
          kernel_size: 7,
          stride: 2,
          padding: 3,
          bias: false,
        },
        [x],
        'conv0',
      );
      x = b.layer('BatchNorm2d', { num_features: channels }, [x], 'norm0');
      x = b.layer('ReLU', { inplace: true }, [x], 'relu0');
      x = b.layer('MaxPool2d', { kernel_size: 3, stride: 2, padding: 1 }, [x], 'pool0');
    } else {
      x = b.layer(
        'Conv2d',
        { in_channels: inChannels!, out_channels: channels, kernel_size: 3, padding: 1, bias: false },
        [x],
        'conv0',
      );
    }
    config.blocks.forEach((layers, i) => {
      x = denseBlock(
        b,
        x,
        { num_layers: layers, in_channels: channels, growth_rate: config.growthRate, bn_size: config.bnSize },
        `denseblock${i + 1}`,
      );
      channels += layers * config.growthRate;
      if (i !== config.blocks.length - 1) {
        const half = Math.floor(channels / 2);
        x = Transition.build(b, x, { in_channels: channels, out_channels: half }, `transition${i + 1}`);
        channels = half;
      }
    });
    return b.layer('BatchNorm2d', { num_features: channels }, [x], 'norm5');
  });
  x = b.layer('ReLU', { inplace: true }, [x], 'relu');
  x = poolAndFlatten(b, x, 1);
  x = b.layer('Linear', { in_features: channels, out_features: config.classes }, [x], 'classifier');
  output(b, x, config.classes);
  return b.graph;
}

export const densenet121 = (): Graph =>
  densenet({
    image: IMAGE,
    classes: CLASSES,
    growthRate: 32,
    blocks: [6, 12, 24, 16],
    initFeatures: 64,
    bnSize: 4,
    stem: 'imagenet',
  });
