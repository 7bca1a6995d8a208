// The allowlist of Python names a checkpoint may mention, and what each one means. Nothing here runs code
// from the file: each allowed name maps to a small TypeScript function that builds a plain value.

import type { DType } from '../tensor.ts';
import { CheckpointError } from './errors.ts';
import type { PickleHooks } from './pickle-read.ts';
import { PyTuple } from './python-values.ts';
import { checkDims, StorageRef, TensorRef } from './storage.ts';
import { STORAGE_DTYPE, TORCH_DTYPE, UNSUPPORTED_TORCH_DTYPES } from './torch-dtypes.ts';

/** A name the file mentioned and the allowlist accepted. */
export class GlobalRef {
  constructor(
    readonly qualifiedName: string,
    /** What calling it builds; absent for names that are only passed around (dtypes, storage classes). */
    readonly call?: (args: unknown[]) => unknown,
    /** For `torch.float32` and friends, and for storage classes (`torch.FloatStorage`). */
    readonly dtype?: DType,
    readonly isStorage = false,
  ) {}
}

/** Modules that exist to run code; a checkpoint naming them is very likely an attack. */
const DANGEROUS =
  /^(os|posix|nt|sys|subprocess|builtins|__builtin__|shutil|socket|importlib|runpy|pty|code)$/;

function forbidden(module: string, name: string): CheckpointError {
  const full = `${module}.${name}`;
  const why = DANGEROUS.test(module)
    ? 'That would run a program or Python code on your computer, so this file may be malicious. '
    : '';
  return new CheckpointError(
    'forbiddenGlobal',
    `The checkpoint asks to load the Python object \`${full}\`, which NeuroCanvas does not allow. ${why}` +
      'NeuroCanvas reads only tensors and plain values (dicts, lists, numbers, strings). If this file was ' +
      'saved with torch.save(model), save model.state_dict() instead.',
  );
}

const badArgs = (what: string, detail: string) =>
  new CheckpointError('badPickle', `The checkpoint calls ${what} with ${detail}.`);

function asTuple(value: unknown, what: string, argument: string): unknown[] {
  if (value instanceof PyTuple) return value.items;
  if (Array.isArray(value)) return value;
  throw badArgs(what, `a ${argument} that is not a tuple`);
}

function asInt(value: unknown, what: string, argument: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  throw new CheckpointError(
    'badTensor',
    `A tensor has an impossible ${argument} (${String(value)}) in ${what}.`,
  );
}

function tensorFrom(what: string, args: unknown[], dtype?: DType): TensorRef {
  const [storage, offset, size, stride] = args;
  if (!(storage instanceof StorageRef)) throw badArgs(what, 'something other than a tensor storage');
  const shape = checkDims(asTuple(size, what, 'size'), 'size', 'A tensor');
  const strides = checkDims(asTuple(stride, what, 'stride'), 'stride', 'A tensor');
  if (shape.length !== strides.length)
    throw new CheckpointError(
      'badTensor',
      `A tensor has ${shape.length} sizes but ${strides.length} strides.`,
    );
  return new TensorRef(
    storage,
    dtype ?? storage.dtype,
    asInt(offset, what, 'storage offset'),
    shape,
    strides,
  );
}

function expectTensor(value: unknown, what: string): TensorRef {
  if (value instanceof TensorRef) return value;
  throw badArgs(what, 'something other than a tensor');
}

function allowlist(): Map<string, GlobalRef> {
  const table = new Map<string, GlobalRef>();
  const add = (name: string, call?: (args: unknown[]) => unknown, dtype?: DType, isStorage = false) =>
    table.set(name, new GlobalRef(name, call, dtype, isStorage));

  add('collections.OrderedDict', (args) => {
    const dict = new Map<unknown, unknown>();
    for (const pair of args.length ? asTuple(args[0], 'OrderedDict', 'list of pairs') : []) {
      const items = asTuple(pair, 'OrderedDict', 'pair');
      if (items.length !== 2) throw badArgs('OrderedDict', 'an item that is not a (key, value) pair');
      dict.set(items[0], items[1]);
    }
    return dict;
  });
  const v2 = (args: unknown[]) => {
    if (args.length < 4 || args.length > 7) throw badArgs('_rebuild_tensor_v2', `${args.length} arguments`);
    return tensorFrom('_rebuild_tensor_v2', args);
  };
  add('torch._utils._rebuild_tensor', (args) => tensorFrom('_rebuild_tensor', args));
  add('torch._utils._rebuild_tensor_v2', v2);
  add('torch._utils._rebuild_tensor_v3', (args) => {
    const dtype = args[6];
    if (args.length < 7 || !(dtype instanceof GlobalRef) || !dtype.dtype || dtype.isStorage)
      throw badArgs('_rebuild_tensor_v3', 'no dtype');
    return tensorFrom('_rebuild_tensor_v3', args, dtype.dtype);
  });
  const parameter = (args: unknown[]) => expectTensor(args[0], 'Parameter');
  add('torch._utils._rebuild_parameter', parameter);
  add('torch._utils._rebuild_parameter_with_state', parameter);
  add('torch.nn.parameter.Parameter', parameter);
  const fromType = (args: unknown[]) => {
    // _rebuild_from_type_v2(func, new_type, args, state): a Tensor subclass; keep the plain tensor.
    const [func, , inner] = args;
    if (!(func instanceof GlobalRef) || !func.call)
      throw badArgs('_rebuild_from_type_v2', 'no rebuild function');
    return func.call(asTuple(inner, '_rebuild_from_type_v2', 'argument list'));
  };
  add('torch._tensor._rebuild_from_type_v2', fromType);
  add('torch.tensor._rebuild_from_type_v2', fromType); // NOTE: torch renamed torch.tensor to torch._tensor
  add(
    'torch.Size',
    (args) => new PyTuple(asTuple(args[0] ?? new PyTuple([]), 'torch.Size', 'size') as never[]),
  );
  add('torch.device', (args) => args.map(String).join(':'));
  add('torch.Tensor');
  for (const [name, dtype] of STORAGE_DTYPE) add(`torch.${name}`, undefined, dtype, true);
  add('torch.UntypedStorage', undefined, 'uint8', true);
  add('torch.storage.UntypedStorage', undefined, 'uint8', true);
  for (const [name, dtype] of TORCH_DTYPE) add(`torch.${name}`, undefined, dtype);
  const set = (args: unknown[]) => new Set(args.length ? asTuple(args[0], 'set', 'list') : []);
  for (const module of ['builtins', '__builtin__']) {
    add(`${module}.set`, set);
    add(`${module}.frozenset`, set);
  }
  add('_codecs.encode', (args) => {
    // How protocol 2 writes Python 3 bytes: _codecs.encode('\xff...', 'latin1').
    const [text, encoding] = args;
    if (typeof text !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1'))
      throw badArgs('_codecs.encode', 'something other than latin1 text');
    return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
  });
  return table;
}

const ALLOWED = allowlist();

export interface TorchHooks extends PickleHooks {
  /** Every storage the pickle mentioned, by key, in order of first mention. */
  storages: Map<string, StorageRef>;
}

/**
 * Hooks for torch's formats: persistent ids are ('storage', storage class, key, location, numel).
 * With `viewOf` (the legacy format), a 6th item, view metadata, is accepted and handed to it.
 */
export function torchHooks(viewOf?: (root: StorageRef, view: unknown) => StorageRef): TorchHooks {
  const storages = new Map<string, StorageRef>();
  return {
    storages,
    findGlobal(module, name) {
      const found = ALLOWED.get(`${module}.${name}`);
      if (found) return found;
      if (module === 'torch' && UNSUPPORTED_TORCH_DTYPES.has(name))
        throw new CheckpointError(
          'badTensor',
          `The checkpoint holds a torch.${name} tensor, which NeuroCanvas cannot read.`,
        );
      if (module === 'torch._utils' && name.startsWith('_rebuild_'))
        throw new CheckpointError(
          'badTensor',
          `The checkpoint holds a kind of tensor NeuroCanvas cannot read (${name}: sparse, quantized, ` +
            'meta or device-specific). Save dense CPU tensors instead (tensor.to_dense().cpu()).',
        );
      throw forbidden(module, name);
    },
    persistentLoad(id) {
      const items = id instanceof PyTuple ? id.items : [];
      if (items[0] !== 'storage' || items.length < 5 || items.length > (viewOf ? 6 : 5))
        throw new CheckpointError(
          'badPickle',
          'The checkpoint points at tensor data in a form NeuroCanvas does not know.',
        );
      const [, storageClass, key, , numel] = items;
      if (!(storageClass instanceof GlobalRef) || !storageClass.dtype || !storageClass.isStorage)
        throw new CheckpointError(
          'badPickle',
          'The checkpoint names a tensor storage type that is not a storage.',
        );
      if (typeof key !== 'string' && typeof key !== 'number')
        throw new CheckpointError(
          'badPickle',
          'The checkpoint names a tensor storage with a key that is not text.',
        );
      const size = asInt(numel, 'a storage', 'storage length');
      let storage = storages.get(String(key));
      if (!storage) {
        storage = new StorageRef(String(key), storageClass.dtype, size);
        storages.set(storage.key, storage);
      }
      return viewOf && items[5] != null ? viewOf(storage, items[5]) : storage;
    },
    call(callable, args) {
      if (callable instanceof GlobalRef) {
        if (callable.call) return callable.call(args);
        throw new CheckpointError(
          'forbiddenGlobal',
          `The checkpoint tries to call ${callable.qualifiedName}, which is not allowed.`,
        );
      }
      throw new CheckpointError(
        'badPickle',
        'The checkpoint tries to call something that is not a function.',
      );
    },
    build(target) {
      // NOTE: a real state_dict carries `_metadata` (module versions) this way; tensors may carry state too.
      // Neither matters to the weights, so the state is dropped.
      if (target instanceof Map || target instanceof TensorRef) return;
      throw new CheckpointError(
        'badPickle',
        'The checkpoint sets the state of a value that cannot have any.',
      );
    },
  };
}
