// Block presets: Residual (basic, chapter) and Bottleneck build the module tree and state_dict PyTorch has.

import { describe, expect, it } from 'vitest';
import { analyze } from '../../engine/graph/analyze.ts';
import { Bottleneck } from '../../engine/graph/blocks/bottleneck.ts';
import { BLOCKS, blockDef } from '../../engine/graph/blocks/registry.ts';
import { Residual } from '../../engine/graph/blocks/residual.ts';
import { GraphBuilder } from '../../engine/graph/builder.ts';
import { modulePaths } from '../../engine/graph/modules.ts';
import { stateDictKeys } from '../../engine/graph/state-dict.ts';
import type { Graph } from '../../engine/graph/types.ts';
import type { Params } from '../../engine/layers/types.ts';

const BN = ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked'];

/** Input [c, size, size] -> (optional outer group) -> block -> Flatten -> Output. */
function withBlock(
  block: typeof Residual,
  params: Params,
  input: [number, number, number],
  name: string,
  outer?: string,
): { graph: Graph; out: string } {
  const b = new GraphBuilder();
  const x = b.layer('Input', { shape: input }, [], 'inp');
  const y = outer ? b.group(outer, () => block.build(b, x, params, name)) : block.build(b, x, params, name);
  const f = b.layer('Flatten', {}, [y], 'flatten');
  const fc = b.layer('Linear', { out_features: 10 }, [f], 'fc');
  b.layer('Output', {}, [fc], 'out');
  return { graph: b.graph, out: y };
}

function keys(graph: Graph): [string, number[], string][] {
  const a = analyze(graph);
  expect(a.problems).toEqual([]);
  return stateDictKeys(a).map((k) => [k.key, [...k.shape], k.dtype]);
}

function blockKeys(graph: Graph, prefix: string) {
  return keys(graph).filter(([k]) => k.startsWith(prefix));
}

describe('block registry', () => {
  it('lists Residual and Bottleneck, each kind once', () => {
    const kinds = BLOCKS.map((b) => b.kind);
    expect(kinds.slice(0, 2)).toEqual(['Residual', 'Bottleneck']);
    expect(new Set(kinds).size).toBe(kinds.length);
    for (const kind of kinds) expect(blockDef(kind)?.kind).toBe(kind);
    expect(blockDef('Residual')).toBe(Residual);
    expect(blockDef('Bottleneck')).toBe(Bottleneck);
    expect(blockDef('Dense')).toBeUndefined();
  });
});

describe("Residual, style 'basic' (torchvision BasicBlock)", () => {
  it("with projection: layer2.0's keys and shapes are torchvision resnet18's", () => {
    const { graph, out } = withBlock(
      Residual,
      { in_channels: 64, out_channels: 128, stride: 2 },
      [64, 56, 56],
      '0',
      'layer2',
    );
    expect(analyze(graph).nodes.get(out)!.output).toEqual([128, 28, 28]);
    const k = blockKeys(graph, 'layer2.');
    expect(k.map(([key]) => key)).toEqual([
      'layer2.0.conv1.weight',
      ...BN.map((n) => `layer2.0.bn1.${n}`),
      'layer2.0.conv2.weight',
      ...BN.map((n) => `layer2.0.bn2.${n}`),
      'layer2.0.downsample.0.weight',
      ...BN.map((n) => `layer2.0.downsample.1.${n}`),
    ]);
    const shape = Object.fromEntries(k.map(([key, s]) => [key, s]));
    expect(shape['layer2.0.conv1.weight']).toEqual([128, 64, 3, 3]);
    expect(shape['layer2.0.conv2.weight']).toEqual([128, 128, 3, 3]);
    expect(shape['layer2.0.downsample.0.weight']).toEqual([128, 64, 1, 1]);
    expect(shape['layer2.0.downsample.1.running_var']).toEqual([128]);
    expect(shape['layer2.0.bn1.num_batches_tracked']).toEqual([]);
    expect(k.find(([key]) => key.endsWith('num_batches_tracked'))![2]).toBe('int64');
    // torchvision: sum(p.numel() for p in resnet18().layer2[0].parameters()) == 230,144
    const a = analyze(graph);
    const blockParams = [...a.nodes.entries()]
      .filter(([id]) => id.startsWith('layer2.'))
      .reduce((n, [, info]) => n + info.cost.params, 0);
    expect(blockParams).toBe(230_144);
  });

  it('without projection: no downsample, identity shortcut, ReLU after the add', () => {
    const { graph, out } = withBlock(
      Residual,
      { in_channels: 64, out_channels: 64 },
      [64, 8, 8],
      '0',
      'layer1',
    );
    const k = blockKeys(graph, 'layer1.');
    expect(k.some(([key]) => key.includes('downsample'))).toBe(false);
    expect(k).toHaveLength(2 + 2 * BN.length);
    const a = analyze(graph);
    const params = [...a.nodes.entries()]
      .filter(([id]) => id.startsWith('layer1.'))
      .reduce((n, [, info]) => n + info.cost.params, 0);
    expect(params).toBe(73_984);
    const last = graph.nodes.find((n) => n.id === out)!;
    expect(last.kind).toBe('ReLU');
    const add = graph.nodes.find((n) => n.kind === 'Add')!;
    expect(graph.edges.filter((e) => e.target === add.id).map((e) => e.source)).toEqual([
      'layer1.0.bn2',
      'inp',
    ]);
    // no conv bias in the basic style
    expect(graph.nodes.filter((n) => n.kind === 'Conv2d').every((n) => n.params.bias === false)).toBe(true);
  });
});

describe("Residual, style 'chapter' (the course's ResBlk)", () => {
  it("with projection (16 -> 32): conv biases and the shortcut called 'extra', as blk2.extra.0.weight", () => {
    const { graph } = withBlock(
      Residual,
      { in_channels: 16, out_channels: 32, style: 'chapter' },
      [16, 32, 32],
      'blk2',
    );
    expect(keys(graph).filter(([k]) => k.startsWith('blk2.'))).toEqual([
      ['blk2.conv1.weight', [32, 16, 3, 3], 'float32'],
      ['blk2.conv1.bias', [32], 'float32'],
      ['blk2.bn1.weight', [32], 'float32'],
      ['blk2.bn1.bias', [32], 'float32'],
      ['blk2.bn1.running_mean', [32], 'float32'],
      ['blk2.bn1.running_var', [32], 'float32'],
      ['blk2.bn1.num_batches_tracked', [], 'int64'],
      ['blk2.conv2.weight', [32, 32, 3, 3], 'float32'],
      ['blk2.conv2.bias', [32], 'float32'],
      ['blk2.bn2.weight', [32], 'float32'],
      ['blk2.bn2.bias', [32], 'float32'],
      ['blk2.bn2.running_mean', [32], 'float32'],
      ['blk2.bn2.running_var', [32], 'float32'],
      ['blk2.bn2.num_batches_tracked', [], 'int64'],
      ['blk2.extra.0.weight', [32, 16, 1, 1], 'float32'],
      ['blk2.extra.0.bias', [32], 'float32'],
      ['blk2.extra.1.weight', [32], 'float32'],
      ['blk2.extra.1.bias', [32], 'float32'],
      ['blk2.extra.1.running_mean', [32], 'float32'],
      ['blk2.extra.1.running_var', [32], 'float32'],
      ['blk2.extra.1.num_batches_tracked', [], 'int64'],
    ]);
  });

  it('without projection (16 -> 16): no extra keys, and the block ends at the add (no ReLU after it)', () => {
    const { graph, out } = withBlock(
      Residual,
      { in_channels: 16, out_channels: 16, style: 'chapter' },
      [16, 32, 32],
      'blk1',
    );
    const k = keys(graph).filter(([key]) => key.startsWith('blk1.'));
    expect(k.map(([key]) => key)).toEqual([
      'blk1.conv1.weight',
      'blk1.conv1.bias',
      ...BN.map((n) => `blk1.bn1.${n}`),
      'blk1.conv2.weight',
      'blk1.conv2.bias',
      ...BN.map((n) => `blk1.bn2.${n}`),
    ]);
    expect(graph.nodes.find((n) => n.id === out)!.kind).toBe('Add');
  });

  it('stride 2 gives a strided 1x1 projection and halves the size', () => {
    const { graph, out } = withBlock(
      Residual,
      { in_channels: 16, out_channels: 16, stride: 2, style: 'chapter' },
      [16, 15, 15],
      'blk',
    );
    const a = analyze(graph);
    expect(a.problems).toEqual([]);
    expect(a.nodes.get(out)!.output).toEqual([16, 8, 8]);
    expect(graph.nodes.find((n) => n.id === 'blk.extra.0')!.params).toMatchObject({
      kernel_size: 1,
      stride: 2,
    });
  });
});

describe('Bottleneck (torchvision, ResNet-50)', () => {
  it('64 -> 256 at stride 1: keys and shapes of resnet50 layer1.0, 75,008 parameters', () => {
    const { graph, out } = withBlock(Bottleneck, { in_channels: 64, width: 64 }, [64, 56, 56], '0', 'layer1');
    const a = analyze(graph);
    expect(a.nodes.get(out)!.output).toEqual([256, 56, 56]);
    const k = blockKeys(graph, 'layer1.');
    const weights = k.filter(
      ([key]) => key.endsWith('.weight') && !key.includes('bn') && !key.includes('.1.'),
    );
    expect(weights).toEqual([
      ['layer1.0.conv1.weight', [64, 64, 1, 1], 'float32'],
      ['layer1.0.conv2.weight', [64, 64, 3, 3], 'float32'],
      ['layer1.0.conv3.weight', [256, 64, 1, 1], 'float32'],
      ['layer1.0.downsample.0.weight', [256, 64, 1, 1], 'float32'],
    ]);
    expect(k.map(([key]) => key)).toEqual([
      'layer1.0.conv1.weight',
      ...BN.map((n) => `layer1.0.bn1.${n}`),
      'layer1.0.conv2.weight',
      ...BN.map((n) => `layer1.0.bn2.${n}`),
      'layer1.0.conv3.weight',
      ...BN.map((n) => `layer1.0.bn3.${n}`),
      'layer1.0.downsample.0.weight',
      ...BN.map((n) => `layer1.0.downsample.1.${n}`),
    ]);
    const params = [...a.nodes.entries()]
      .filter(([id]) => id.startsWith('layer1.'))
      .reduce((n, [, info]) => n + info.cost.params, 0);
    expect(params).toBe(75_008);
  });

  it('256 -> 256 at stride 1 has no downsample: 70,400 parameters', () => {
    const { graph } = withBlock(Bottleneck, { in_channels: 256, width: 64 }, [256, 14, 14], '1', 'layer1');
    const k = blockKeys(graph, 'layer1.');
    expect(k.some(([key]) => key.includes('downsample'))).toBe(false);
    const a = analyze(graph);
    const params = [...a.nodes.entries()]
      .filter(([id]) => id.startsWith('layer1.'))
      .reduce((n, [, info]) => n + info.cost.params, 0);
    expect(params).toBe(70_400);
  });

  it('256 -> 512 at stride 2: resnet50 layer2.0 shapes, output 512 x 14 x 14', () => {
    const { graph, out } = withBlock(
      Bottleneck,
      { in_channels: 256, width: 128, stride: 2 },
      [256, 28, 28],
      '0',
      'layer2',
    );
    const a = analyze(graph);
    expect(a.nodes.get(out)!.output).toEqual([512, 14, 14]);
    const shape = Object.fromEntries(blockKeys(graph, 'layer2.').map(([key, s]) => [key, s]));
    expect(shape['layer2.0.conv1.weight']).toEqual([128, 256, 1, 1]);
    expect(shape['layer2.0.conv2.weight']).toEqual([128, 128, 3, 3]);
    expect(shape['layer2.0.conv3.weight']).toEqual([512, 128, 1, 1]);
    expect(shape['layer2.0.bn3.weight']).toEqual([512]);
    expect(shape['layer2.0.downsample.0.weight']).toEqual([512, 256, 1, 1]);
    // the stride sits on the 3x3 (torchvision v1.5) and on the shortcut
    expect(graph.nodes.find((n) => n.id === 'layer2.0.conv2')!.params.stride).toBe(2);
    expect(graph.nodes.find((n) => n.id === 'layer2.0.conv1')!.params.stride).toBe(1);
    expect(graph.nodes.find((n) => n.id === 'layer2.0.downsample.0')!.params.stride).toBe(2);
    const params = [...a.nodes.entries()]
      .filter(([id]) => id.startsWith('layer2.'))
      .reduce((n, [, info]) => n + info.cost.params, 0);
    expect(params).toBe(379_392);
  });
});

describe('blocks nest in groups', () => {
  it('two blocks inside layer1 give paths layer1.0.* and layer1.1.*, in order', () => {
    const b = new GraphBuilder();
    const x = b.layer('Input', { shape: [64, 8, 8] }, [], 'inp');
    const y = b.group('layer1', () => {
      const first = Residual.build(b, x, { in_channels: 64, out_channels: 64 }, '0');
      return Residual.build(b, first, { in_channels: 64, out_channels: 128, stride: 2 }, '1');
    });
    const f = b.layer('Flatten', {}, [y], 'flatten');
    const fc = b.layer('Linear', { out_features: 10 }, [f], 'fc');
    b.layer('Output', {}, [fc], 'out');
    const graph = b.graph;

    expect(graph.groups.map((g) => [g.id, g.name, g.parent])).toEqual([
      ['layer1/', 'layer1', undefined],
      ['layer1.0/', '0', 'layer1/'],
      ['layer1.1/', '1', 'layer1/'],
      ['layer1.1.downsample/', 'downsample', 'layer1.1/'],
    ]);
    expect(graph.groups[1]!.block).toEqual({
      kind: 'Residual',
      params: { in_channels: 64, out_channels: 64, stride: 1, style: 'basic' },
    });
    const paths = modulePaths(graph);
    expect(paths.get('layer1.0.conv1')).toBe('layer1.0.conv1');
    expect(paths.get('layer1.1.downsample.0')).toBe('layer1.1.downsample.0');
    expect(paths.get('layer1.1.downsample/')).toBe('layer1.1.downsample');

    const a = analyze(graph);
    expect(a.problems).toEqual([]);
    expect(a.nodes.get(y)!.output).toEqual([128, 4, 4]);
    const tree = a.tree.children.map((c) => [c.name, c.children.map((d) => d.name)]);
    expect(tree).toEqual([
      ['inp', []],
      ['layer1', ['0', '1']],
      ['flatten', []],
      ['fc', []],
      ['out', []],
    ]);
    const stateKeys = stateDictKeys(a).map((k) => k.key);
    expect(stateKeys.indexOf('layer1.0.conv1.weight')).toBeLessThan(
      stateKeys.indexOf('layer1.1.conv1.weight'),
    );
    expect(stateKeys.at(-1)).toBe('fc.bias');
    expect(stateKeys.filter((k) => k.startsWith('layer1.1.downsample.'))).toEqual([
      'layer1.1.downsample.0.weight',
      ...BN.map((n) => `layer1.1.downsample.1.${n}`),
    ]);
  });

  it('a block named like a sibling is made unique', () => {
    const b = new GraphBuilder();
    const x = b.layer('Input', { shape: [16, 8, 8] }, [], 'inp');
    const one = Residual.build(b, x, {}, 'blk');
    Residual.build(b, one, {}, 'blk');
    expect(b.graph.groups.map((g) => g.name)).toEqual(['blk', 'blk_1']);
  });
});
