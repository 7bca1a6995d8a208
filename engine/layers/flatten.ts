// Flatten: joins dimensions into one, as torch.nn.Flatten (start_dim=1 keeps the batch).

import { PROBLEMS } from '../problems.ts';
import { int } from './params.ts';
import { fail, ok, shapeText } from './shapes.ts';
import type { LayerDef } from './types.ts';

export const Flatten: LayerDef = {
  kind: 'Flatten',
  category: 'shape',
  summary: 'Joins dimensions into one: C x H x W becomes a vector of C*H*W features. A view, no copy.',
  params: {
    start_dim: {
      type: 'int',
      default: 1,
      min: 1,
      help: 'First dimension to join (0 is the batch, which stays).',
    },
    end_dim: { type: 'int', default: -1, min: -4, help: 'Last dimension to join; -1 is the last.' },
  },
  arity: { min: 1, max: 1 },
  view: true,
  infer(inputs, params) {
    const input = inputs[0]!;
    // Dimensions counted with the batch, as PyTorch does: sample dim i is tensor dim i + 1.
    const rank = input.length + 1;
    const start = int(params, 'start_dim');
    const endRaw = int(params, 'end_dim');
    const end = endRaw < 0 ? rank + endRaw : endRaw;
    if (start >= rank || end >= rank || end < start)
      return fail({
        code: PROBLEMS.badParam.code,
        param: start >= rank ? 'start_dim' : 'end_dim',
        message: `Flatten(start_dim=${start}, end_dim=${endRaw}) does not fit a batch of ${shapeText(input)} samples (${rank} dimensions with the batch).`,
        expected: `1 <= start_dim <= end_dim < ${rank}`,
        arrived: `start_dim ${start}, end_dim ${endRaw}`,
      });
    const dims = input.slice(start - 1, end);
    const joined = dims.reduce((a, b) => a * b, 1);
    return ok([...input.slice(0, start - 1), joined, ...input.slice(end)], params);
  },
  state: () => [],
  macs: () => 0,
  describe: () => '',
  torch(params) {
    const parts: string[] = [];
    if (int(params, 'start_dim') !== 1) parts.push(`start_dim=${int(params, 'start_dim')}`);
    if (int(params, 'end_dim') !== -1) parts.push(`end_dim=${int(params, 'end_dim')}`);
    return `nn.Flatten(${parts.join(', ')})`;
  },
  lower: (b) => b.view(b.inputs[0]!, [b.batchSize, ...b.output]),
};
