// loadWeights: what load_state_dict would say about a state_dict (missing, unexpected, size mismatches),
// naming each node; what a non-strict load keeps; dtypes as our state wants them; the report in words.

import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../engine/graph/builder.ts';
import type { Graph } from '../../engine/graph/types.ts';
import { formatLoadReport, loadWeights } from '../../engine/io/load-weights.ts';
import {
  type DType,
  float32Tensor,
  hostTensor,
  int64Tensor,
  type StateDict,
} from '../../engine/io/tensor.ts';

/** Input 3x8x8 -> stem (conv, bn) -> relu -> flatten -> fc (10) -> output. */
function smallNet(): Graph {
  const b = new GraphBuilder();
  let x = b.layer('Input', { shape: [3, 8, 8] }, [], 'input');
  x = b.group('stem', () => {
    const conv = b.layer('Conv2d', { out_channels: 4, kernel_size: 3, padding: 1 }, [x], 'conv');
    return b.layer('BatchNorm2d', {}, [conv], 'bn');
  });
  x = b.layer('ReLU', {}, [x], 'relu');
  x = b.layer('Flatten', {}, [x], 'flatten');
  x = b.layer('Linear', { out_features: 10 }, [x], 'fc');
  b.layer('Output', { num_classes: 10 }, [x], 'output');
  return b.graph;
}

const SHAPES: [string, number[]][] = [
  ['stem.conv.weight', [4, 3, 3, 3]],
  ['stem.conv.bias', [4]],
  ['stem.bn.weight', [4]],
  ['stem.bn.bias', [4]],
  ['stem.bn.running_mean', [4]],
  ['stem.bn.running_var', [4]],
  ['fc.weight', [10, 256]],
  ['fc.bias', [10]],
];

const ramp = (shape: number[], dtype: DType = 'float32') => {
  const count = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: count }, (_, i) => i / 8);
  return dtype === 'float64'
    ? hostTensor('float64', shape, Float64Array.from(values))
    : float32Tensor(shape, values);
};

/** A state_dict with every key the network has, in PyTorch's order. */
function fullStateDict(dtype: DType = 'float32'): StateDict {
  const state: StateDict = new Map(SHAPES.map(([key, shape]) => [key, ramp(shape, dtype)]));
  const ordered: StateDict = new Map();
  for (const [key, tensor] of state) {
    ordered.set(key, tensor);
    if (key === 'stem.bn.running_var') ordered.set('stem.bn.num_batches_tracked', int64Tensor([], [5]));
  }
  return ordered;
}

describe('loadWeights', () => {
  it('loads a matching state_dict strictly, in our key order, reporting nothing', () => {
    const file = new Map([...fullStateDict()].reverse());
    const { loaded, report, ok } = loadWeights(smallNet(), file, { strict: true });
    expect(ok).toBe(true);
    expect(report).toEqual({ missing: [], unexpected: [], mismatched: [] });
    expect([...loaded.keys()]).toEqual([...fullStateDict().keys()]);
    expect(loaded.get('fc.weight')!.data).toEqual(file.get('fc.weight')!.data);
    expect(formatLoadReport(report)).toBe('Every tensor in the file matched the network and was loaded.');
  });

  it('reports missing, unexpected and mismatched tensors as load_state_dict would, naming each node', () => {
    const file = fullStateDict();
    file.delete('fc.bias');
    file.set('stem.conv.weight', ramp([4, 3, 5, 5]));
    file.set('fc.scale', ramp([10]));
    const strict = loadWeights(smallNet(), file, { strict: true });
    expect(strict.ok).toBe(false);
    expect(strict.report).toEqual({
      missing: [{ key: 'fc.bias', nodeId: 'fc', path: 'fc' }],
      unexpected: ['fc.scale'],
      mismatched: [
        { key: 'stem.conv.weight', nodeId: 'stem.conv', expected: [4, 3, 3, 3], got: [4, 3, 5, 5] },
      ],
    });
    // What fits comes over in either mode; the rest keeps its init.
    const keep = [
      'stem.conv.bias',
      'stem.bn.weight',
      'stem.bn.bias',
      'stem.bn.running_mean',
      'stem.bn.running_var',
      'stem.bn.num_batches_tracked',
      'fc.weight',
    ];
    expect([...strict.loaded.keys()]).toEqual(keep);
    const loose = loadWeights(smallNet(), file, { strict: false });
    expect(loose.ok).toBe(true);
    expect(loose.report).toEqual(strict.report);
    expect([...loose.loaded.keys()]).toEqual(keep);
    expect(formatLoadReport(loose.report)).toBe(
      [
        '1 tensor has a different shape in the file, so it was not loaded and keeps its initial values:',
        '  stem.conv.weight: the network needs 4 x 3 x 3 x 3, the file has 4 x 3 x 5 x 5',
        '',
        '1 tensor the network needs is not in the file, so it keeps its initial values:',
        '  fc.bias',
        '',
        '1 tensor in the file matches no layer of the network and was ignored:',
        '  fc.scale',
      ].join('\n'),
    );
  });

  it('is not ok non-strictly when nothing in the file fits', () => {
    const file: StateDict = new Map([['weight', ramp([3])]]);
    const { ok, loaded, report } = loadWeights(smallNet(), file, { strict: false });
    expect(ok).toBe(false);
    expect(loaded.size).toBe(1); // num_batches_tracked, taken as 0
    expect(report.missing).toHaveLength(8);
    expect(formatLoadReport(report)).toMatch(/^8 tensors the network needs are not in the file/);
  });

  it('converts to float32, and num_batches_tracked to int64, whatever the file holds', () => {
    const file = fullStateDict('float64');
    file.set('stem.bn.num_batches_tracked', hostTensor('int32', [1], Int32Array.from([9])));
    const { loaded, ok } = loadWeights(smallNet(), file);
    expect(ok).toBe(true);
    expect(loaded.get('fc.weight')!.dtype).toBe('float32');
    expect(Array.from(loaded.get('fc.weight')!.data as Float32Array).slice(0, 3)).toEqual([0, 0.125, 0.25]);
    const counter = loaded.get('stem.bn.num_batches_tracked')!;
    expect(counter).toEqual({ dtype: 'int64', shape: [], data: BigInt64Array.from([9n]) });
  });

  it('takes a missing num_batches_tracked as 0, as PyTorch does for a state_dict without version metadata', () => {
    const file = fullStateDict();
    file.delete('stem.bn.num_batches_tracked');
    const { loaded, report, ok } = loadWeights(smallNet(), file, { strict: true });
    expect(ok).toBe(true);
    expect(report.missing).toEqual([]);
    expect(loaded.get('stem.bn.num_batches_tracked')!.data).toEqual(new BigInt64Array(1));
  });

  it("hints at nn.DataParallel when the file's keys start with module.", () => {
    const file: StateDict = new Map([...fullStateDict()].map(([key, t]) => [`module.${key}`, t]));
    const { report } = loadWeights(smallNet(), file, { strict: true });
    expect(report.unexpected).toHaveLength(9);
    expect(formatLoadReport(report)).toContain(
      "Keys starting with 'module.' come from a model saved inside nn.DataParallel",
    );
  });
});
