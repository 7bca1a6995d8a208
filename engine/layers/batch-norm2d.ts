// BatchNorm2d: per-channel normalisation of C x H x W images, as torch.nn.BatchNorm2d.

import { batchNorm } from './batch-norm.ts';

export const BatchNorm2d = batchNorm('BatchNorm2d', [3], 'a C x H x W image');
