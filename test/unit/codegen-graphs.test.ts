// The model.py exporter on hand-made graphs: refusals, options, in-place safety, unused branches, several
// inputs, numbered children that are not a chain, and blocks that cannot share a class.

import { describe, expect, it } from 'vitest';
import { Residual } from '../../engine/graph/blocks/residual.ts';
import { GraphBuilder } from '../../engine/graph/builder.ts';
import type { Graph } from '../../engine/graph/types.ts';
import { generateModelCode } from '../../engine/io/pytorch-code/index.ts';
import { templateById } from '../../templates/catalog.ts';

/** Reshape, a numbered group joined by Concat, an unused branch, and an in-place ReLU on a shared tensor. */
function mixedGraph(): Graph {
  const b = new GraphBuilder();
  const x = b.layer('Input', { shape: [784] }, [], 'input');
  const image = b.layer('Reshape', { shape: [1, 28, 28] }, [x], 'reshape');
  const conv = b.layer('Conv2d', { out_channels: 8, kernel_size: 3, padding: 1 }, [image], 'conv');
  const relu = b.layer('ReLU', { inplace: true }, [conv], 'relu');
  const mix = b.group('mix', () => {
    const narrow = b.layer('Conv2d', { out_channels: 4, kernel_size: 1 }, [relu], '0');
    const gate = b.layer('Sigmoid', {}, [relu], '1');
    return b.layer('Concat', {}, [narrow, gate], '2');
  });
  b.layer('Conv2d', { out_channels: 2, kernel_size: 1 }, [mix], 'side');
  const shared = b.layer('ReLU', { inplace: true }, [mix], 'relu2');
  const sum = b.layer('Add', {}, [shared, mix], 'add');
  const flat = b.layer('Flatten', {}, [sum], 'flatten');
  const fc = b.layer('Linear', { out_features: 10 }, [flat], 'fc');
  b.layer('Output', { num_classes: 10 }, [fc], 'output');
  return b.graph;
}

/** The lines of `text` from the one starting with `first` up to the next blank line. */
function block(text: string, first: string): string {
  const start = text.indexOf(first);
  expect(start, first).toBeGreaterThanOrEqual(0);
  const end = text.indexOf('\n\n', start);
  return text.slice(start, end < 0 ? undefined : end);
}

describe('generateModelCode refuses', () => {
  it('a graph with errors, listing them', () => {
    const b = new GraphBuilder();
    const x = b.layer('Input', { shape: [1, 28, 28] }, [], 'input');
    const fc = b.layer('Linear', { out_features: 10 }, [x], 'fc');
    b.layer('Output', { num_classes: 10 }, [fc], 'output');
    expect(() => generateModelCode(b.graph)).toThrow(
      /^Cannot write model\.py: the network has a problem to fix first:\n {2}- fc: Linear needs a flat vector/,
    );
  });

  it('a class name Python cannot take', () => {
    expect(() => generateModelCode(templateById('mlp')!.build(), { className: 'my model' })).toThrow(
      /"my model" cannot name a Python class/,
    );
  });
});

describe('generateModelCode', () => {
  it('takes the class name and the input shape of the example run from its options', () => {
    const text = generateModelCode(templateById('lenet5')!.build(), {
      className: 'LeNet5',
      inputShape: [1, 32, 32],
    });
    expect(text).toContain('class LeNet5(nn.Module):');
    expect(text).toContain('    model = LeNet5()');
    expect(text).toContain('    x = torch.randn(1, 1, 32, 32)');
    expect(text).toContain('# Input: N x 1 x 32 x 32');
    expect(text).not.toContain('class Reshape');
  });

  it('keeps a tensor read twice in its variable, and turns in-place off where it would change that tensor', () => {
    const text = generateModelCode(mixedGraph());
    expect(text).toContain('class Reshape(nn.Module):');
    expect(text).toContain('        self.reshape = Reshape(1, 28, 28)');
    expect(text).toContain('        self.relu = nn.ReLU(inplace=True)');
    expect(text).toContain(
      '        self.relu2 = nn.ReLU()  # NOTE: not in place: its input is also read elsewhere\n',
    );
    expect(block(text, '    def forward(self, x):\n        # NOTE')).toBe(
      [
        '    def forward(self, x):',
        '        # NOTE: self.side does not lead to the output, so forward does not call it.',
        '        x = self.reshape(x)',
        '        x = self.conv(x)',
        '        x = self.relu(x)',
        '        x = self.mix(x)',
        '        relu2 = self.relu2(x)',
        '        x = relu2 + x',
        '        x = self.flatten(x)',
        '        x = self.fc(x)',
        '        return x',
      ].join('\n'),
    );
  });

  it('registers numbered children of a group that is not a chain with add_module', () => {
    const text = generateModelCode(mixedGraph());
    expect(block(text, 'class Mix(nn.Module):')).toBe(
      [
        'class Mix(nn.Module):',
        '    def __init__(self):',
        '        super().__init__()',
        '        self.add_module("0", nn.Conv2d(8, 4, kernel_size=1))',
        '        self.add_module("1", nn.Sigmoid())',
      ].join('\n'),
    );
    expect(block(text, '    def forward(self, x):\n        out0')).toBe(
      [
        '    def forward(self, x):',
        '        out0 = getattr(self, "0")(x)',
        '        out1 = getattr(self, "1")(x)',
        '        return torch.cat([out0, out1], dim=1)',
      ].join('\n'),
    );
  });

  it('takes several inputs, in the model and in a group that reads two values', () => {
    const b = new GraphBuilder();
    const image = b.layer('Input', { shape: [1, 8, 8] }, [], 'image');
    const features = b.layer('Input', { shape: [4] }, [], 'features');
    const flat = b.layer('Flatten', {}, [image], 'flatten');
    const head = b.group('head', () => {
      const joined = b.layer('Concat', {}, [flat, features], 'join');
      return b.layer('Linear', { out_features: 3 }, [joined], 'fc');
    });
    b.layer('Output', { num_classes: 3 }, [head], 'output');
    const text = generateModelCode(b.graph);
    expect(text).toContain('# Inputs: image N x 1 x 8 x 8, features N x 4.');
    expect(text).toContain('    def forward(self, x1, x2):\n        x1 = torch.cat([x1, x2], dim=1)\n');
    expect(block(text, '    def forward(self, image, features):')).toBe(
      [
        '    def forward(self, image, features):',
        '        image = self.flatten(image)',
        '        head = self.head(image, features)',
        '        return head',
      ].join('\n'),
    );
    expect(text).toContain('    inputs = [torch.randn(1, 1, 8, 8), torch.randn(1, 4)]\n');
    expect(text).toContain('        scores = model(*inputs)\n');
  });

  it('gives blocks that differ in structure a class each', () => {
    const b = new GraphBuilder();
    let x = b.layer('Input', { shape: [16, 8, 8] }, [], 'input');
    x = Residual.build(b, x, { in_channels: 16, out_channels: 16 }, 'block1');
    x = Residual.build(b, x, { in_channels: 16, out_channels: 16 }, 'block2');
    b.graph.nodes.find((n) => n.id === 'block2.bn2')!.name = 'norm2';
    const flat = b.layer('Flatten', {}, [x], 'flatten');
    const fc = b.layer('Linear', { out_features: 10 }, [flat], 'fc');
    b.layer('Output', { num_classes: 10 }, [fc], 'output');
    const text = generateModelCode(b.graph);
    expect(text).toContain('        self.block1 = BasicBlock()\n        self.block2 = BasicBlock2()\n');
    const second = text.slice(text.indexOf('class BasicBlock2(nn.Module):'));
    expect(second).toContain('        self.norm2 = nn.BatchNorm2d(16)');
    expect(text.slice(0, text.indexOf('class BasicBlock2'))).toContain(
      '        self.bn2 = nn.BatchNorm2d(16)',
    );
  });
});
