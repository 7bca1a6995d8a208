// BatchNorm1d: per-feature normalisation of C or C x L inputs, as torch.nn.BatchNorm1d.

import { batchNorm } from './batch-norm.ts';

export const BatchNorm1d = batchNorm('BatchNorm1d', [1, 2], 'C or C x L features');
