// PyTorch's names for our dtypes: storage classes (torch.FloatStorage ...) and dtype globals (torch.float32 ...).

import type { DType } from '../tensor.ts';

/** The legacy typed storage class torch.save writes for each dtype (module `torch`). */
export const STORAGE_CLASS: Record<DType, string> = {
  float32: 'FloatStorage',
  float64: 'DoubleStorage',
  float16: 'HalfStorage',
  bfloat16: 'BFloat16Storage',
  int64: 'LongStorage',
  int32: 'IntStorage',
  int16: 'ShortStorage',
  int8: 'CharStorage',
  uint8: 'ByteStorage',
  bool: 'BoolStorage',
};

export const STORAGE_DTYPE = new Map<string, DType>(
  Object.entries(STORAGE_CLASS).map(([dtype, storage]) => [storage, dtype as DType]),
);

/** `torch.<name>` dtype globals, as `_rebuild_tensor_v3` pickles them (aliases included). */
export const TORCH_DTYPE = new Map<string, DType>([
  ['float32', 'float32'],
  ['float', 'float32'],
  ['float64', 'float64'],
  ['double', 'float64'],
  ['float16', 'float16'],
  ['half', 'float16'],
  ['bfloat16', 'bfloat16'],
  ['int64', 'int64'],
  ['long', 'int64'],
  ['int32', 'int32'],
  ['int', 'int32'],
  ['int16', 'int16'],
  ['short', 'int16'],
  ['int8', 'int8'],
  ['uint8', 'uint8'],
  ['bool', 'bool'],
]);

/** torch dtypes we know by name but cannot hold, for a clear refusal. */
export const UNSUPPORTED_TORCH_DTYPES = new Set([
  'complex32',
  'complex64',
  'complex128',
  'cfloat',
  'cdouble',
  'uint16',
  'uint32',
  'uint64',
  'qint8',
  'quint8',
  'qint32',
  'quint4x2',
  'float8_e4m3fn',
  'float8_e5m2',
]);
