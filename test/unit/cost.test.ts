// Costs: parameter counts, parameter memory, buffers, multiply-adds and activation bytes, with exact numbers.

import { describe, expect, it } from 'vitest';
import { analyze } from '../../engine/graph/analyze.ts';
import { GraphBuilder } from '../../engine/graph/builder.ts';
import { formatCount, formatMegabytes, formatShort, nodeCost, sumCosts } from '../../engine/graph/cost.ts';
import type { Graph } from '../../engine/graph/types.ts';

/** The chapter's MLP on 28 x 28 digits: 784-256-256-256-10. */
function mlp(): Graph {
  const b = new GraphBuilder();
  let x = b.layer('Input', { shape: [784] }, [], 'inp');
  for (const [i, width] of [256, 256, 256].entries()) {
    x = b.layer('Linear', { out_features: width }, [x], `fc${i + 1}`);
    x = b.layer('ReLU', {}, [x], `relu${i + 1}`);
  }
  x = b.layer('Linear', { out_features: 10 }, [x], 'fc4');
  b.layer('Output', { num_classes: 10 }, [x], 'out');
  return b.graph;
}

/** LeNet-5: conv 1->6 k5 p2, pool, conv 6->16 k5, pool, 400-120-84-10. */
function lenet(): Graph {
  const b = new GraphBuilder();
  const x = b.layer('Input', { shape: [1, 28, 28] }, [], 'inp');
  const c1 = b.layer('Conv2d', { out_channels: 6, kernel_size: 5, padding: 2 }, [x], 'conv1');
  const r1 = b.layer('ReLU', {}, [c1], 'relu1');
  const p1 = b.layer('MaxPool2d', { kernel_size: 2 }, [r1], 'pool1');
  const c2 = b.layer('Conv2d', { out_channels: 16, kernel_size: 5 }, [p1], 'conv2');
  const r2 = b.layer('ReLU', {}, [c2], 'relu2');
  const p2 = b.layer('MaxPool2d', { kernel_size: 2 }, [r2], 'pool2');
  const f = b.layer('Flatten', {}, [p2], 'flatten');
  const fc1 = b.layer('Linear', { out_features: 120 }, [f], 'fc1');
  const r3 = b.layer('ReLU', {}, [fc1], 'relu3');
  const fc2 = b.layer('Linear', { out_features: 84 }, [r3], 'fc2');
  const r4 = b.layer('ReLU', {}, [fc2], 'relu4');
  const fc3 = b.layer('Linear', { out_features: 10 }, [r4], 'fc3');
  b.layer('Output', { num_classes: 10 }, [fc3], 'out');
  return b.graph;
}

describe("the chapter's MLP 784-256-256-256-10", () => {
  it('has exactly 335,114 parameters (the course rounds it to "about 390k")', () => {
    const a = analyze(mlp());
    expect(a.problems).toEqual([]);
    expect(a.total.params).toBe(335_114);
    expect(a.nodes.get('fc1')!.cost.params).toBe(784 * 256 + 256);
    expect(a.nodes.get('fc2')!.cost.params).toBe(256 * 256 + 256);
    expect(a.nodes.get('fc4')!.cost.params).toBe(256 * 10 + 10);
    expect(formatCount(a.total.params)).toBe('335,114');
  });

  it('is 1.34 MB of float32 parameters and has no buffers', () => {
    const { total } = analyze(mlp());
    expect(total.paramBytes).toBe(1_340_456);
    expect(formatMegabytes(total.paramBytes)).toBe('1.34 MB');
    expect(total.buffers).toBe(0);
  });

  it('multiply-adds are the weight counts: 200,704 + 65,536 x 2 + 2,560', () => {
    const a = analyze(mlp());
    expect(a.nodes.get('fc1')!.cost.macs).toBe(200_704);
    expect(a.total.macs).toBe(200_704 + 65_536 * 2 + 2_560);
  });

  it('activation bytes: 4 bytes per output value of each node, summed; the Output is a view of the logits', () => {
    const a = analyze(mlp());
    expect(a.nodes.get('inp')!.cost.activationBytes).toBe(784 * 4);
    expect(a.nodes.get('fc1')!.cost.activationBytes).toBe(256 * 4);
    expect(a.nodes.get('relu3')!.cost.activationBytes).toBe(256 * 4);
    expect(a.nodes.get('fc4')!.cost.activationBytes).toBe(40);
    const sum = [...a.nodes.values()].reduce((n, info) => n + info.cost.activationBytes, 0);
    expect(a.total.activationBytes).toBe(sum);
    // input 784 + six 256-wide outputs + fc4's 10 (the Output node shares fc4's memory)
    expect(a.nodes.get('out')!.cost.activationBytes).toBe(0);
    expect(a.total.activationBytes).toBe((784 + 6 * 256 + 10) * 4);
  });
});

describe('LeNet-5', () => {
  it('has 61,706 parameters, layer by layer', () => {
    const a = analyze(lenet());
    expect(a.problems).toEqual([]);
    const params = Object.fromEntries(
      ['conv1', 'conv2', 'fc1', 'fc2', 'fc3'].map((id) => [id, a.nodes.get(id)!.cost.params]),
    );
    expect(params).toEqual({ conv1: 156, conv2: 2_416, fc1: 48_120, fc2: 10_164, fc3: 850 });
    expect(a.total.params).toBe(61_706);
    expect(a.total.paramBytes).toBe(61_706 * 4);
    expect(formatMegabytes(a.total.paramBytes)).toBe('0.25 MB');
  });

  it('multiply-adds: conv1 117,600, conv2 240,000, fc 48,000 + 10,080 + 840; total 416,520', () => {
    const a = analyze(lenet());
    const macs = (id: string) => a.nodes.get(id)!.cost.macs;
    expect(macs('conv1')).toBe(6 * 28 * 28 * 25);
    expect(macs('conv1')).toBe(117_600);
    expect(macs('conv2')).toBe(16 * 10 * 10 * 150);
    expect(macs('conv2')).toBe(240_000);
    expect([macs('fc1'), macs('fc2'), macs('fc3')]).toEqual([48_000, 10_080, 840]);
    for (const id of ['inp', 'relu1', 'pool1', 'pool2', 'flatten', 'out']) expect(macs(id), id).toBe(0);
    expect(a.total.macs).toBe(416_520);
    expect(formatShort(a.total.macs)).toBe('416.5 k');
  });

  it('activation bytes per node follow the shapes; Flatten is a view and adds none', () => {
    const a = analyze(lenet());
    const bytes = (id: string) => a.nodes.get(id)!.cost.activationBytes;
    expect(bytes('conv1')).toBe(6 * 28 * 28 * 4);
    expect(bytes('pool1')).toBe(6 * 14 * 14 * 4);
    expect(bytes('conv2')).toBe(16 * 10 * 10 * 4);
    expect(bytes('flatten')).toBe(0);
  });
});

describe('BatchNorm buffers', () => {
  it('are counted apart from parameters: running_mean + running_var (float32) + num_batches_tracked (int64)', () => {
    const b = new GraphBuilder();
    const x = b.layer('Input', { shape: [3, 8, 8] }, [], 'inp');
    const c = b.layer('Conv2d', { out_channels: 16, kernel_size: 3, padding: 1, bias: false }, [x], 'conv');
    const bn = b.layer('BatchNorm2d', {}, [c], 'bn');
    const g = b.layer('AdaptiveAvgPool2d', {}, [bn], 'pool');
    const f = b.layer('Flatten', {}, [g], 'flat');
    const fc = b.layer('Linear', { out_features: 10 }, [f], 'fc');
    b.layer('Output', {}, [fc], 'out');
    const a = analyze(b.graph);
    expect(a.problems).toEqual([]);
    expect(a.nodes.get('bn')!.cost).toEqual({
      params: 32,
      buffers: 33,
      paramBytes: 32 * 4 + 32 * 4 + 8,
      activationBytes: 16 * 8 * 8 * 4,
      macs: 0,
    });
    expect(a.total.params).toBe(3 * 16 * 9 + 32 + 16 * 10 + 10);
    expect(a.total.buffers).toBe(33);
    expect(a.total.paramBytes).toBe((3 * 16 * 9 + 32 + 16 * 10 + 10 + 32) * 4 + 8);
  });

  it('affine=False has buffers only; track_running_stats=False has parameters only', () => {
    const b = new GraphBuilder();
    const x = b.layer('Input', { shape: [20] }, [], 'inp');
    const n1 = b.layer('BatchNorm1d', { affine: false }, [x], 'n1');
    const n2 = b.layer('BatchNorm1d', { track_running_stats: false }, [n1], 'n2');
    b.layer('Output', { num_classes: 20 }, [n2], 'out');
    const a = analyze(b.graph);
    expect(a.nodes.get('n1')!.cost).toMatchObject({ params: 0, buffers: 41, paramBytes: 40 * 4 + 8 });
    expect(a.nodes.get('n2')!.cost).toMatchObject({ params: 40, buffers: 0, paramBytes: 160 });
  });
});

describe('cost helpers', () => {
  it('nodeCost and sumCosts add up per field', () => {
    const c = nodeCost(
      [
        { name: 'weight', shape: [4, 3], dtype: 'float32', role: 'parameter', init: { kind: 'ones' } },
        { name: 'count', shape: [], dtype: 'int64', role: 'buffer', init: { kind: 'zeros' } },
      ],
      12,
      [4],
    );
    expect(c).toEqual({ params: 12, buffers: 1, paramBytes: 56, activationBytes: 16, macs: 12 });
    expect(sumCosts([c, c])).toEqual({
      params: 24,
      buffers: 2,
      paramBytes: 112,
      activationBytes: 32,
      macs: 24,
    });
    expect(sumCosts([])).toEqual({ params: 0, buffers: 0, paramBytes: 0, activationBytes: 0, macs: 0 });
  });

  it('formats counts, megabytes (10^6 bytes) and short counts', () => {
    expect(formatCount(61_706)).toBe('61,706');
    expect(formatMegabytes(1_600_000)).toBe('1.60 MB');
    expect(formatMegabytes(50_000)).toBe('0.050 MB');
    expect(formatShort(1_820_000_000)).toBe('1.82 G');
    expect(formatShort(2_500_000)).toBe('2.50 M');
    expect(formatShort(999)).toBe('999');
  });

  it('a node with a problem costs nothing, and the rest still add up', () => {
    const b = new GraphBuilder();
    const x = b.layer('Input', { shape: [784] }, [], 'inp');
    const fc1 = b.layer('Linear', { out_features: 256 }, [x], 'fc1');
    const fc2 = b.layer('Linear', { in_features: 100, out_features: 10 }, [fc1], 'fc2');
    b.layer('Output', {}, [fc2], 'out');
    const a = analyze(b.graph);
    expect(a.nodes.get('fc2')!.cost.params).toBe(0);
    expect(a.total.params).toBe(784 * 256 + 256);
  });
});
