// Writes a state_dict as a .safetensors file: u64 header length, JSON header padded to 8 bytes, raw data.

import { DTYPE_BYTES, numel, type StateDict, tensorBytes } from '../tensor.ts';
import { CheckpointError } from '../torch/errors.ts';
import { SAFETENSORS_DTYPE } from './dtypes.ts';

/**
 * Tensors go in the map's order with contiguous offsets. `metadata` is string to string only (the format's rule).
 * NOTE: the JSON is assembled by hand so a tensor named `__proto__` is written like any other name.
 */
export function writeSafetensors(stateDict: StateDict, metadata: Record<string, string> = {}): Uint8Array {
  const fields: string[] = [];
  const metadataEntries = Object.entries(metadata);
  for (const [key, value] of metadataEntries)
    if (typeof value !== 'string')
      throw new CheckpointError(
        'cannotWrite',
        `safetensors metadata must be text; "${key}" is a ${typeof value}.`,
      );
  if (metadataEntries.length)
    fields.push(
      `"__metadata__":{${metadataEntries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`,
    );
  let offset = 0;
  for (const [name, tensor] of stateDict) {
    if (name === '__metadata__')
      throw new CheckpointError('cannotWrite', 'A tensor cannot be named __metadata__ in safetensors.');
    const size = numel(tensor.shape) * DTYPE_BYTES[tensor.dtype];
    if (tensor.data.byteLength !== size)
      throw new CheckpointError(
        'cannotWrite',
        `Tensor ${name} has shape [${tensor.shape}] but ${tensor.data.length} elements.`,
      );
    fields.push(
      `${JSON.stringify(name)}:{"dtype":"${SAFETENSORS_DTYPE[tensor.dtype]}","shape":[${tensor.shape.join(',')}],` +
        `"data_offsets":[${offset},${offset + size}]}`,
    );
    offset += size;
  }
  const json = new TextEncoder().encode(`{${fields.join(',')}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength); // spaces, as the reference writer pads
  let at = 8 + headerLength;
  for (const tensor of stateDict.values()) {
    const bytes = tensorBytes(tensor);
    out.set(bytes, at);
    at += bytes.length;
  }
  return out;
}
