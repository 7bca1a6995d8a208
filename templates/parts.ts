// Shared pieces of the template networks: VGG feature stacks, ResNet stages and classifier heads.

import { Bottleneck } from '../engine/graph/blocks/bottleneck.ts';
import { Residual } from '../engine/graph/blocks/residual.ts';
import type { GraphBuilder } from '../engine/graph/builder.ts';
import type { Params } from '../engine/layers/types.ts';

/** One VGG configuration entry: a 3x3 convolution's out_channels, or 'M' for a 2x2 max-pool. */
export type VggEntry = number | 'M';

/**
 * torchvision's vgg make_layers: an nn.Sequential `features` of Conv2d(3x3, padding 1) [+ BatchNorm2d] + ReLU
 * per number and MaxPool2d(2, 2) per 'M', children named 0, 1, 2, ... Returns [output id, channels].
 */
export function vggFeatures(
  b: GraphBuilder,
  input: string,
  inChannels: number,
  config: readonly VggEntry[],
  batchNorm: boolean,
): [string, number] {
  const layers: [string, Params][] = [];
  let channels = inChannels;
  for (const entry of config) {
    if (entry === 'M') {
      layers.push(['MaxPool2d', { kernel_size: 2, stride: 2 }]);
      continue;
    }
    layers.push(['Conv2d', { in_channels: channels, out_channels: entry, kernel_size: 3, padding: 1 }]);
    if (batchNorm) layers.push(['BatchNorm2d', { num_features: entry }]);
    layers.push(['ReLU', { inplace: true }]);
    channels = entry;
  }
  return [b.sequential('features', input, layers), channels];
}

/**
 * torchvision's ResNet _make_layer: a group `name` of `blocks` blocks named 0, 1, ...; the first one takes
 * the stride (and a downsample shortcut when the shape changes). Returns [output id, channels].
 */
export function resnetStage(
  b: GraphBuilder,
  input: string,
  stage: {
    block: 'basic' | 'bottleneck';
    inChannels: number;
    planes: number;
    blocks: number;
    stride: number;
  },
  name: string,
): [string, number] {
  const expansion = stage.block === 'basic' ? 1 : 4;
  const out = stage.planes * expansion;
  const x = b.group(name, () => {
    let x = input;
    for (let i = 0; i < stage.blocks; i++) {
      const cin = i === 0 ? stage.inChannels : out;
      const stride = i === 0 ? stage.stride : 1;
      x =
        stage.block === 'basic'
          ? Residual.build(b, x, { in_channels: cin, out_channels: out, stride, style: 'basic' }, String(i))
          : Bottleneck.build(b, x, { in_channels: cin, width: stage.planes, stride }, String(i));
    }
    return x;
  });
  return [x, out];
}

/** The usual end of a torchvision classifier: AdaptiveAvgPool2d `avgpool` to `size`, then `flatten`. */
export function poolAndFlatten(b: GraphBuilder, input: string, size: number): string {
  const pool = b.layer('AdaptiveAvgPool2d', { output_size: size }, [input], 'avgpool');
  return b.layer('Flatten', {}, [pool], 'flatten');
}

/** The Output node every template ends with. */
export function output(b: GraphBuilder, logits: string, numClasses: number): string {
  return b.layer('Output', { num_classes: numClasses }, [logits], 'output');
}

/** The Input node every template starts with. */
export function input(b: GraphBuilder, shape: readonly number[]): string {
  return b.layer('Input', { shape: [...shape] }, [], 'input');
}
