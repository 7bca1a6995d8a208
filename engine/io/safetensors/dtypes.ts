// safetensors dtype names and ours.

import type { DType } from '../tensor.ts';

export const SAFETENSORS_DTYPE: Record<DType, string> = {
  float32: 'F32',
  float64: 'F64',
  float16: 'F16',
  bfloat16: 'BF16',
  int64: 'I64',
  int32: 'I32',
  int16: 'I16',
  int8: 'I8',
  uint8: 'U8',
  bool: 'BOOL',
};

export const DTYPE_OF_SAFETENSORS = new Map<string, DType>(
  Object.entries(SAFETENSORS_DTYPE).map(([dtype, name]) => [name, dtype as DType]),
);

/** The format's other dtypes: known, but not something NeuroCanvas can hold. */
export const UNSUPPORTED_SAFETENSORS_DTYPES = new Set([
  'U16',
  'U32',
  'U64',
  'F8_E4M3',
  'F8_E5M2',
  'F8_E8M0',
  'F4',
  'F6_E2M3',
  'F6_E3M2',
  'C64',
]);

/** The reference implementation refuses headers past this size. */
export const MAX_HEADER_BYTES = 100_000_000;
