// Decodes one PNG or JPEG into channel planes (grey or RGB, 8-bit), whatever bit depth, palette or alpha it has.

import { convertIndexedToRgb, type DecodedPng, decode as decodePng } from 'fast-png';
import { decode as decodeJpeg } from 'jpeg-js';
import { DataError } from './errors.ts';

/** A decoded image: `planes` is C x H x W bytes, C = 1 (grey) or 3 (RGB). */
export interface DecodedImage {
  width: number;
  height: number;
  channels: 1 | 3;
  planes: Uint8Array;
}

export function isPng(head: Uint8Array): boolean {
  return head.length >= 8 && head[0] === 0x89 && head[1] === 0x50 && head[2] === 0x4e && head[3] === 0x47;
}

export function isJpeg(head: Uint8Array): boolean {
  return head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff;
}

/** Largest image decoded, in pixels (a photo of 100 megapixels is already far beyond training sizes). */
const MAX_PIXELS = 100_000_000;

/** Decodes by the bytes' signature, not the name (a .jpg that is really a PNG still works). */
export function decodeImage(bytes: Uint8Array, file: string): DecodedImage {
  if (isPng(bytes)) return fromPng(bytes, file);
  if (isJpeg(bytes)) return fromJpeg(bytes, file);
  throw new DataError('badImage', file, 'this is not a PNG or JPEG image (its first bytes are neither).');
}

function fromPng(bytes: Uint8Array, file: string): DecodedImage {
  let png: DecodedPng;
  try {
    png = decodePng(bytes, { checkCrc: true });
  } catch (error) {
    throw broken(file, 'PNG', error);
  }
  const { width, height } = png;
  if (width * height > MAX_PIXELS) throw tooBig(file, width, height);
  let channels = png.channels;
  let samples: ArrayLike<number> = png.data;
  let depth: number = png.depth;
  if (png.palette) {
    try {
      samples = convertIndexedToRgb(png);
    } catch (error) {
      throw broken(file, 'PNG', error);
    }
    channels = png.palette[0]?.length ?? 3;
    depth = 8;
  } else if (depth < 8) samples = unpackBits(png.data as Uint8Array, width, height, depth);
  if (samples.length < width * height * channels)
    throw new DataError(
      'badImage',
      file,
      'the PNG image data is shorter than its size says (the file is cut short).',
    );
  // NOTE: 16-bit samples keep their top byte; alpha is dropped (as PIL's convert('RGB') does), not blended.
  const shift = depth === 16 ? 8 : 0;
  const colour = channels >= 3;
  const out = new Uint8Array((colour ? 3 : 1) * width * height);
  const plane = width * height;
  for (let i = 0; i < plane; i++) {
    const at = i * channels;
    if (colour) {
      out[i] = samples[at]! >> shift;
      out[plane + i] = samples[at + 1]! >> shift;
      out[2 * plane + i] = samples[at + 2]! >> shift;
    } else out[i] = samples[at]! >> shift;
  }
  return { width, height, channels: colour ? 3 : 1, planes: out };
}

/** Grey PNGs of 1, 2 or 4 bits pack several pixels per byte, rows padded to whole bytes. */
function unpackBits(data: Uint8Array, width: number, height: number, depth: number): Uint8Array {
  const out = new Uint8Array(width * height);
  const rowBytes = Math.ceil((width * depth) / 8);
  const max = (1 << depth) - 1;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      const byte = data[y * rowBytes + (bit >> 3)] ?? 0;
      const value = (byte >> (8 - depth - (bit & 7))) & max;
      out[y * width + x] = Math.round((value * 255) / max);
    }
  return out;
}

function fromJpeg(bytes: Uint8Array, file: string): DecodedImage {
  let jpeg: { width: number; height: number; data: Uint8Array };
  try {
    // NOTE: tolerant decoding stays on (jpeg-js's default): many real photos have small format slips.
    jpeg = decodeJpeg(bytes, { useTArray: true, formatAsRGBA: false, maxResolutionInMP: MAX_PIXELS / 1e6 });
  } catch (error) {
    throw broken(file, 'JPEG', error);
  }
  const { width, height, data } = jpeg;
  if (width === 0 || height === 0 || data.length < width * height * 3)
    throw new DataError(
      'badImage',
      file,
      'the JPEG image holds no pixel data (the file is cut short or damaged).',
    );
  const plane = width * height;
  let grey = true;
  for (let i = 0; i < plane && grey; i++)
    grey = data[3 * i] === data[3 * i + 1] && data[3 * i] === data[3 * i + 2];
  const out = new Uint8Array((grey ? 1 : 3) * plane);
  for (let i = 0; i < plane; i++) {
    out[i] = data[3 * i]!;
    if (!grey) {
      out[plane + i] = data[3 * i + 1]!;
      out[2 * plane + i] = data[3 * i + 2]!;
    }
  }
  return { width, height, channels: grey ? 1 : 3, planes: out };
}

function broken(file: string, kind: string, error: unknown): DataError {
  const reason = error instanceof Error ? error.message : String(error);
  return new DataError('badImage', file, `this ${kind} image is damaged and cannot be decoded (${reason}).`);
}

function tooBig(file: string, width: number, height: number): DataError {
  return new DataError('badImage', file, `the image is ${width}x${height}, too large to import.`);
}
