// Shape arithmetic and the issues layers share (wrong rank, channel mismatch), in one place.

import { PROBLEMS } from '../problems.ts';
import type { Inference, LayerIssue, Params, Shape } from './types.ts';

/** `6 x 28 x 28`, the way shapes read on the canvas. */
export function shapeText(shape: Shape): string {
  return shape.length === 0 ? 'scalar' : shape.join(' x ');
}

export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** PyTorch's output size of a convolution or pooling window along one axis. */
export function windowOut(
  size: number,
  kernel: number,
  stride: number,
  padding: number,
  dilation = 1,
): number {
  return Math.floor((size + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1;
}

/** Pooling output with `ceil_mode`: the last window must start inside the input or left padding. */
export function poolOut(
  size: number,
  kernel: number,
  stride: number,
  padding: number,
  dilation: number,
  ceil: boolean,
): number {
  const span = size + 2 * padding - dilation * (kernel - 1) - 1;
  if (!ceil) return Math.floor(span / stride) + 1;
  let out = Math.ceil(span / stride) + 1;
  if ((out - 1) * stride >= size + padding) out -= 1;
  return out;
}

export function ok(output: Shape, resolved: Params): Inference {
  return { ok: true, output, resolved };
}

export function fail(issue: LayerIssue): Inference {
  return { ok: false, issue };
}

/** The issue for a layer that needs a C x H x W image but got something else. */
export function needImage(kind: string, input: Shape): LayerIssue | null {
  if (input.length === 3) return null;
  return {
    code: PROBLEMS.wrongRank.code,
    input: 0,
    message:
      input.length === 1
        ? `${kind} needs a C x H x W image, but a flat vector of ${input[0]} arrives. Move ${kind} before the Flatten, or use a Reshape to turn the vector back into an image.`
        : `${kind} needs a C x H x W image, but ${shapeText(input)} arrives.`,
    expected: 'C x H x W',
    arrived: shapeText(input),
  };
}

/** The issue for a layer whose `channelsParam` disagrees with the channels that arrive. */
export function channelMismatch(
  kind: string,
  param: string,
  declared: number,
  arrived: number,
  shape: Shape,
): LayerIssue {
  return {
    code: PROBLEMS.channelMismatch.code,
    param,
    input: 0,
    message: `${kind} expects ${declared} input channels (${param}), but ${arrived} arrive (${shapeText(shape)}). Set ${param} to ${arrived}, or to auto.`,
    expected: `${declared} channels`,
    arrived: `${arrived} channels`,
    fix: { kind: 'setParam', param, value: arrived, label: `Set ${param} to ${arrived}` },
  };
}

/** The issue for a window (kernel) that does not fit in the padded input. */
export function windowTooLarge(
  kind: string,
  axis: string,
  size: number,
  padding: number,
  span: number,
): LayerIssue {
  return {
    code: PROBLEMS.kernelTooLarge.code,
    param: 'kernel_size',
    message: `${kind}'s kernel spans ${span} pixels but the padded input is only ${size + 2 * padding} ${axis} (${size} + 2 x padding ${padding}). Use a smaller kernel_size or more padding.`,
    expected: `kernel span <= ${size + 2 * padding}`,
    arrived: `kernel span ${span}`,
  };
}

/** The issue for an output that would have no pixels. */
export function outputTooSmall(kind: string, h: number, w: number): LayerIssue {
  return {
    code: PROBLEMS.outputTooSmall.code,
    message: `${kind} would produce a ${h} x ${w} output. Reduce stride or kernel_size, add padding, or remove a downsampling layer before it.`,
    expected: 'output height and width >= 1',
    arrived: `${h} x ${w}`,
  };
}
