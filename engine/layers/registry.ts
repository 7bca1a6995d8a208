// The registry: the one list of layer kinds that the palette, inspector, validation, engine and exporters read.

import { AdaptiveAvgPool2d } from './adaptive-avg-pool2d.ts';
import { Add } from './add.ts';
import { AvgPool2d } from './avg-pool2d.ts';
import { BatchNorm1d } from './batch-norm1d.ts';
import { BatchNorm2d } from './batch-norm2d.ts';
import { Concat } from './concat.ts';
import { ConvTranspose2d } from './conv-transpose2d.ts';
import { Conv2d } from './conv2d.ts';
import { Dropout } from './dropout.ts';
import { Flatten } from './flatten.ts';
import { Input } from './input.ts';
import { LeakyReLU } from './leaky-relu.ts';
import { Linear } from './linear.ts';
import { MaxPool2d } from './max-pool2d.ts';
import { Output } from './output.ts';
import { ReLU } from './relu.ts';
import { Reshape } from './reshape.ts';
import { Sigmoid } from './sigmoid.ts';
import { Softmax } from './softmax.ts';
import { Tanh } from './tanh.ts';
import type { LayerDef } from './types.ts';
import { Upsample } from './upsample.ts';

/** Every layer kind, in palette order. */
export const LAYERS: readonly LayerDef[] = [
  Input,
  Conv2d,
  ConvTranspose2d,
  MaxPool2d,
  AvgPool2d,
  AdaptiveAvgPool2d,
  Upsample,
  BatchNorm1d,
  BatchNorm2d,
  Dropout,
  ReLU,
  LeakyReLU,
  Sigmoid,
  Tanh,
  Softmax,
  Linear,
  Add,
  Concat,
  Flatten,
  Reshape,
  Output,
];

const byKind = new Map(LAYERS.map((def) => [def.kind, def]));

export function layerDef(kind: string): LayerDef | undefined {
  return byKind.get(kind);
}

export function requireLayer(kind: string): LayerDef {
  const def = byKind.get(kind);
  if (!def)
    throw new Error(`unknown layer kind "${kind}"; known kinds: ${LAYERS.map((d) => d.kind).join(', ')}`);
  return def;
}
