// Host tensors: dtype conversions (half, bfloat16, double to float32) are exact where they can be and warn.

import { describe, expect, it } from 'vitest';
import {
  bfloat16ToNumber,
  float16ToNumber,
  float32Tensor,
  hostTensor,
  int64Tensor,
  int64Values,
  numberToBfloat16,
  numberToFloat16,
  numel,
  stateDictToFloat32,
  toFloat32,
  toNumbers,
} from '../../engine/io/tensor.ts';

describe('float16', () => {
  it('decodes known bit patterns', () => {
    expect(float16ToNumber(0x3c00)).toBe(1);
    expect(float16ToNumber(0xc000)).toBe(-2);
    expect(float16ToNumber(0x7bff)).toBe(65504);
    expect(float16ToNumber(0x0001)).toBe(2 ** -24);
    expect(float16ToNumber(0x7c00)).toBe(Number.POSITIVE_INFINITY);
    expect(float16ToNumber(0xfc00)).toBe(Number.NEGATIVE_INFINITY);
    expect(float16ToNumber(0x7e00)).toBeNaN();
    expect(Object.is(float16ToNumber(0x8000), -0)).toBe(true);
  });

  it('round-trips every finite half exactly', () => {
    const wrong: number[] = [];
    for (let bits = 0; bits < 0x10000; bits++) {
      const value = float16ToNumber(bits);
      if (!Number.isNaN(value) && numberToFloat16(value) !== bits) wrong.push(bits);
    }
    expect(wrong).toEqual([]);
  });

  it('rounds to nearest even and overflows to infinity', () => {
    expect(numberToFloat16(1 + 2 ** -11)).toBe(0x3c00); // halfway, rounds to even
    expect(numberToFloat16(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(numberToFloat16(1e6)).toBe(0x7c00);
    expect(numberToFloat16(2 ** -26)).toBe(0);
  });
});

describe('bfloat16', () => {
  it('is the top half of a float32', () => {
    expect(bfloat16ToNumber(0x3f80)).toBe(1);
    expect(bfloat16ToNumber(0xc040)).toBe(-3);
    expect(numberToBfloat16(1)).toBe(0x3f80);
    expect(numberToBfloat16(Number.NaN) & 0x7fc0).toBe(0x7fc0);
    expect(bfloat16ToNumber(numberToBfloat16(3.140625))).toBe(3.140625);
  });
});

describe('toFloat32', () => {
  it('converts half and bfloat16 exactly, with a warning', () => {
    const half = hostTensor('float16', [3], Uint16Array.from([0x3c00, 0xc000, 0x3555]));
    const { tensor, warning } = toFloat32(half, '`w`');
    expect(tensor.dtype).toBe('float32');
    expect(Array.from(tensor.data as Float32Array)).toEqual([1, -2, float16ToNumber(0x3555)]);
    expect(warning).toMatch(/`w` was float16; converted to float32/);
    const bf = toFloat32(hostTensor('bfloat16', [1], Uint16Array.from([0x4049])));
    expect(bf.tensor.data[0]).toBe(bfloat16ToNumber(0x4049));
    expect(bf.warning).toMatch(/bfloat16/);
  });

  it('rounds float64 and counts values that overflow', () => {
    const { tensor, warning } = toFloat32(hostTensor('float64', [2], Float64Array.from([0.1, 1e300])));
    expect(tensor.data[0]).toBe(Math.fround(0.1));
    expect(tensor.data[1]).toBe(Number.POSITIVE_INFINITY);
    expect(warning).toMatch(/float64.*1 values were too large/);
  });

  it('leaves float32 and integer tensors alone', () => {
    const ints = int64Tensor([], [7]);
    expect(toFloat32(ints)).toEqual({ tensor: ints, warning: null });
    const sd = stateDictToFloat32(new Map([['a', float32Tensor([1], [1])]]), []);
    expect(sd.get('a')!.dtype).toBe('float32');
  });
});

describe('helpers', () => {
  it('counts elements and reads int64 exactly', () => {
    expect(numel([])).toBe(1);
    expect(numel([2, 0, 3])).toBe(0);
    const big = int64Tensor([2], [2n ** 60n, -5]);
    expect(int64Values(big)).toEqual([2n ** 60n, -5n]);
    expect(toNumbers(int64Tensor([1], [3]))).toEqual([3]);
  });

  it('refuses data that does not match the shape or dtype', () => {
    expect(() => hostTensor('float32', [2, 2], new Float32Array(3))).toThrow(/needs 4 elements/);
    expect(() => hostTensor('float32', [-1])).toThrow(/Bad dimension/);
    expect(() => hostTensor('int64', [1], new Float32Array(1) as never)).toThrow(/cannot hold/);
  });
});
