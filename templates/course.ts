// The course chapter's own networks: LeNet-5 and the MLP on MNIST digits, and the chapter's small ResNet for CIFAR-10.

import { Residual } from '../engine/graph/blocks/residual.ts';
import { GraphBuilder } from '../engine/graph/builder.ts';
import type { Graph } from '../engine/graph/types.ts';
import { input, output } from './parts.ts';

/** LeNet-5 on 1x28x28 digits (padding 2 keeps 28x28 where the original took 32x32): 61,706 parameters. */
export function lenet5(): Graph {
  const b = new GraphBuilder();
  let x = input(b, [1, 28, 28]);
  x = b.layer('Conv2d', { in_channels: 1, out_channels: 6, kernel_size: 5, padding: 2 }, [x], 'conv1');
  x = b.layer('ReLU', {}, [x], 'relu1');
  x = b.layer('MaxPool2d', { kernel_size: 2 }, [x], 'pool1');
  x = b.layer('Conv2d', { in_channels: 6, out_channels: 16, kernel_size: 5 }, [x], 'conv2');
  x = b.layer('ReLU', {}, [x], 'relu2');
  x = b.layer('MaxPool2d', { kernel_size: 2 }, [x], 'pool2');
  x = b.layer('Flatten', {}, [x], 'flatten');
  x = b.layer('Linear', { in_features: 16 * 5 * 5, out_features: 120 }, [x], 'fc1');
  x = b.layer('ReLU', {}, [x], 'relu3');
  x = b.layer('Linear', { in_features: 120, out_features: 84 }, [x], 'fc2');
  x = b.layer('ReLU', {}, [x], 'relu4');
  x = b.layer('Linear', { in_features: 84, out_features: 10 }, [x], 'fc3');
  output(b, x, 10);
  return b.graph;
}

/** The chapter's fully connected baseline: 784-256-256-256-10 with ReLUs, on flattened digits. */
export function mlp(): Graph {
  const b = new GraphBuilder();
  let x = input(b, [784]);
  const widths = [784, 256, 256, 256, 10];
  for (let i = 1; i < widths.length; i++) {
    x = b.layer('Linear', { in_features: widths[i - 1]!, out_features: widths[i]! }, [x], `fc${i}`);
    if (i < widths.length - 1) x = b.layer('ReLU', {}, [x], `relu${i}`);
  }
  output(b, x, 10);
  return b.graph;
}

/**
 * The chapter's ResNet for CIFAR-10: conv1 = Sequential(Conv2d(3, 16, 3, padding 1), BatchNorm2d(16)), ReLU,
 * blk1 = ResBlk(16, 16), blk2 = ResBlk(16, 32), flatten, outlayer = Linear(32*32*32, 10).
 */
export function resnetChapter(): Graph {
  const b = new GraphBuilder();
  let x = input(b, [3, 32, 32]);
  x = b.sequential('conv1', x, [
    ['Conv2d', { in_channels: 3, out_channels: 16, kernel_size: 3, stride: 1, padding: 1 }],
    ['BatchNorm2d', { num_features: 16 }],
  ]);
  x = b.layer('ReLU', {}, [x], 'relu');
  x = Residual.build(b, x, { in_channels: 16, out_channels: 16, style: 'chapter' }, 'blk1');
  x = Residual.build(b, x, { in_channels: 16, out_channels: 32, style: 'chapter' }, 'blk2');
  x = b.layer('Flatten', {}, [x], 'flatten');
  x = b.layer('Linear', { in_features: 32 * 32 * 32, out_features: 10 }, [x], 'outlayer');
  output(b, x, 10);
  return b.graph;
}
