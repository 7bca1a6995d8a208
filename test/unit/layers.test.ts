// Every layer kind's shape rule, issues, fixes, PyTorch state, constructor text and parameter checks.

import { describe, expect, it } from 'vitest';
import { checkParams, defaultParams, withDefaults } from '../../engine/layers/params.ts';
import { LAYERS, layerDef, requireLayer } from '../../engine/layers/registry.ts';
import { poolOut, windowOut } from '../../engine/layers/shapes.ts';
import type { LayerIssue, Params, Shape, StateEntry } from '../../engine/layers/types.ts';
import { PROBLEMS } from '../../engine/problems.ts';

/** Kinds whose shape rule a test below exercised; checked against the registry at the end. */
const exercised = new Set<string>();

function run(kind: string, inputs: Shape[], params: Params = {}) {
  exercised.add(kind);
  const def = requireLayer(kind);
  return def.infer(inputs, withDefaults(def.params, params));
}

/** Output shape and resolved params; fails the test with the layer's message if it reports an issue. */
function infer(kind: string, inputs: Shape[], params: Params = {}) {
  const result = run(kind, inputs, params);
  if (!result.ok) throw new Error(`${kind} unexpectedly failed: ${result.issue.message}`);
  return result;
}

function out(kind: string, input: Shape, params: Params = {}): Shape {
  return infer(kind, [input], params).output;
}

function issue(kind: string, inputs: Shape[], params: Params = {}): LayerIssue {
  const result = run(kind, inputs, params);
  if (result.ok) throw new Error(`${kind} should have failed but gave ${result.output.join('x')}`);
  return result.issue;
}

/** The layer's state_dict entries for the given params, resolved against `input` first. */
function stateOf(kind: string, input: Shape, params: Params = {}): StateEntry[] {
  const { resolved } = infer(kind, [input], params);
  return requireLayer(kind).state(resolved, [input]);
}

function torchText(kind: string, input: Shape, params: Params = {}): string {
  const { resolved } = infer(kind, [input], params);
  return requireLayer(kind).torch(resolved);
}

describe('registry', () => {
  it('lists each kind once, and layerDef/requireLayer find them', () => {
    const kinds = LAYERS.map((d) => d.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
    for (const kind of kinds) expect(layerDef(kind)?.kind).toBe(kind);
    expect(layerDef('Conv3d')).toBeUndefined();
    expect(() => requireLayer('Conv3d')).toThrow(/unknown layer kind "Conv3d"/);
  });

  it("every kind's default parameters pass its own schema check", () => {
    for (const def of LAYERS) expect(checkParams(def.params, defaultParams(def.params)), def.kind).toBeNull();
  });
});

describe('shape arithmetic', () => {
  it("windowOut is PyTorch's floor((n + 2p - d(k-1) - 1) / s) + 1", () => {
    expect(windowOut(28, 3, 1, 0)).toBe(26);
    expect(windowOut(28, 3, 1, 1)).toBe(28);
    expect(windowOut(28, 3, 2, 1)).toBe(14);
    expect(windowOut(7, 3, 2, 1)).toBe(4);
    expect(windowOut(28, 3, 1, 0, 2)).toBe(24);
  });

  it('poolOut with ceil_mode drops a last window that would start in the right padding', () => {
    expect(poolOut(112, 3, 2, 0, 1, true)).toBe(56);
    expect(poolOut(112, 3, 2, 0, 1, false)).toBe(55);
    // ceil((5 + 2 - 2) / 3) + 1 = 3, but window 3 would start at 6 >= 5 + 1: PyTorch gives 2.
    expect(poolOut(5, 2, 3, 1, 1, true)).toBe(2);
  });
});

describe('Input', () => {
  it('passes its shape through, image or vector', () => {
    expect(infer('Input', [], { shape: [3, 32, 32] }).output).toEqual([3, 32, 32]);
    expect(infer('Input', [], { shape: [784] }).output).toEqual([784]);
    expect(infer('Input', []).output).toEqual([1, 28, 28]);
  });
});

describe('Conv2d', () => {
  it('3x3 without padding shrinks 28 -> 26 and resolves in_channels from the input', () => {
    const r = infer('Conv2d', [[1, 28, 28]], { out_channels: 7, kernel_size: 3 });
    expect(r.output).toEqual([7, 26, 26]);
    expect(r.resolved.in_channels).toBe(1);
  });

  it('padding 1 keeps 28, stride 2 halves it', () => {
    expect(out('Conv2d', [1, 28, 28], { out_channels: 7, kernel_size: 3, padding: 1 })).toEqual([7, 28, 28]);
    expect(out('Conv2d', [1, 28, 28], { out_channels: 7, kernel_size: 3, padding: 1, stride: 2 })).toEqual([
      7, 14, 14,
    ]);
  });

  it('odd sizes round down: 7 with k3 s2 p1 -> 4, 9 with 1x1 s2 -> 5', () => {
    expect(out('Conv2d', [8, 7, 7], { out_channels: 8, kernel_size: 3, stride: 2, padding: 1 })).toEqual([
      8, 4, 4,
    ]);
    expect(out('Conv2d', [16, 9, 9], { out_channels: 32, kernel_size: 1, stride: 2 })).toEqual([32, 5, 5]);
  });

  it('LeNet conv1: 1 -> 6, 5x5, padding 2 keeps 28', () => {
    expect(out('Conv2d', [1, 28, 28], { out_channels: 6, kernel_size: 5, padding: 2 })).toEqual([6, 28, 28]);
  });

  it('dilation 2 makes a 3x3 kernel span 5 pixels', () => {
    expect(out('Conv2d', [3, 28, 28], { out_channels: 4, kernel_size: 3, dilation: 2 })).toEqual([4, 24, 24]);
    expect(out('Conv2d', [3, 15, 15], { out_channels: 4, kernel_size: 3, dilation: 2, padding: 2 })).toEqual([
      4, 15, 15,
    ]);
  });

  it('non-square kernel, stride and padding act per axis', () => {
    // H: (11 + 2 - 3) / 2 + 1 = 6; W: (13 + 4 - 5) / 1 + 1 = 13
    expect(
      out('Conv2d', [3, 11, 13], { out_channels: 2, kernel_size: [3, 5], stride: [2, 1], padding: [1, 2] }),
    ).toEqual([2, 6, 13]);
  });

  it('groups: depthwise (groups = channels) has one input channel per kernel', () => {
    const params = { out_channels: 16, kernel_size: 3, padding: 1, groups: 16, bias: false };
    expect(out('Conv2d', [16, 10, 10], params)).toEqual([16, 10, 10]);
    const [weight, ...rest] = stateOf('Conv2d', [16, 10, 10], params);
    expect(rest).toEqual([]);
    expect(weight).toEqual({
      name: 'weight',
      shape: [16, 1, 3, 3],
      dtype: 'float32',
      role: 'parameter',
      init: { kind: 'uniform', bound: 1 / 3 },
    });
    const macs = requireLayer('Conv2d').macs(
      infer('Conv2d', [[16, 10, 10]], params).resolved,
      [[16, 10, 10]],
      [16, 10, 10],
    );
    expect(macs).toBe(16 * 10 * 10 * 9);
  });

  it('groups that do not divide the channels are rejected (NC018)', () => {
    const i = issue('Conv2d', [[16, 8, 8]], { out_channels: 32, groups: 3 });
    expect(i.code).toBe(PROBLEMS.groupsMismatch.code);
    expect(i.param).toBe('groups');
    expect(i.message).toContain('16');
    const j = issue('Conv2d', [[16, 8, 8]], { out_channels: 6, groups: 4 });
    expect(j.code).toBe('NC018');
  });

  it('an explicit in_channels that disagrees gives NC004 with a setParam fix to the arriving count', () => {
    const i = issue('Conv2d', [[1, 28, 28]], { in_channels: 3, out_channels: 6 });
    expect(i.code).toBe(PROBLEMS.channelMismatch.code);
    expect(i.param).toBe('in_channels');
    expect(i.input).toBe(0);
    expect(i.expected).toBe('3 channels');
    expect(i.arrived).toBe('1 channels');
    expect(i.message).toContain('expects 3 input channels');
    expect(i.fix).toEqual({
      kind: 'setParam',
      param: 'in_channels',
      value: 1,
      label: 'Set in_channels to 1',
    });
    // the explicit value that matches is fine
    expect(out('Conv2d', [3, 8, 8], { in_channels: 3, out_channels: 6 })).toEqual([6, 6, 6]);
  });

  it('a kernel larger than the padded input is NC007 on kernel_size; padding can make it fit', () => {
    const i = issue('Conv2d', [[1, 4, 4]], { out_channels: 2, kernel_size: 5 });
    expect(i.code).toBe(PROBLEMS.kernelTooLarge.code);
    expect(i.param).toBe('kernel_size');
    expect(i.message).toContain('spans 5 pixels');
    expect(i.message).toContain('only 4 high');
    expect(out('Conv2d', [1, 4, 4], { out_channels: 2, kernel_size: 5, padding: 1 })).toEqual([2, 2, 2]);
    // width alone too small
    const w = issue('Conv2d', [[1, 9, 2]], { out_channels: 2, kernel_size: 3 });
    expect(w.code).toBe('NC007');
    expect(w.message).toContain('wide');
    // dilation counts in the span: 3x3 dilated by 3 spans 7
    const d = issue('Conv2d', [[1, 6, 6]], { out_channels: 2, kernel_size: 3, dilation: 3 });
    expect(d.code).toBe('NC007');
    expect(d.message).toContain('spans 7 pixels');
  });

  it('needs a C x H x W image: a flat vector is NC014 and the message says to move it before the Flatten', () => {
    const i = issue('Conv2d', [[400]], { out_channels: 6 });
    expect(i.code).toBe(PROBLEMS.wrongRank.code);
    expect(i.arrived).toBe('400');
    expect(i.message).toContain('flat vector of 400');
    expect(issue('Conv2d', [[4, 5]]).code).toBe('NC014');
  });

  it('state: weight (out, in/groups, kh, kw) and bias (out), bound 1/sqrt(in * kh * kw)', () => {
    const state = stateOf('Conv2d', [1, 28, 28], { out_channels: 6, kernel_size: 5, padding: 2 });
    const bound = 1 / Math.sqrt(25);
    expect(state).toEqual([
      {
        name: 'weight',
        shape: [6, 1, 5, 5],
        dtype: 'float32',
        role: 'parameter',
        init: { kind: 'uniform', bound },
      },
      { name: 'bias', shape: [6], dtype: 'float32', role: 'parameter', init: { kind: 'uniform', bound } },
    ]);
    const grouped = stateOf('Conv2d', [8, 9, 9], { out_channels: 16, kernel_size: 3, groups: 4 });
    expect(grouped.map((s) => s.shape)).toEqual([[16, 2, 3, 3], [16]]);
    expect(grouped[0]!.init).toEqual({ kind: 'uniform', bound: 1 / Math.sqrt(2 * 9) });
    const noBias = stateOf('Conv2d', [3, 8, 8], { out_channels: 4, kernel_size: 1, bias: false });
    expect(noBias.map((s) => s.name)).toEqual(['weight']);
  });

  it('macs: out_h * out_w * out_c * in_c/groups * kh * kw', () => {
    const { resolved, output } = infer('Conv2d', [[1, 28, 28]], {
      out_channels: 6,
      kernel_size: 5,
      padding: 2,
    });
    expect(requireLayer('Conv2d').macs(resolved, [[1, 28, 28]], output)).toBe(117_600);
  });

  it('torch(): keyword arguments that differ from the defaults, in PyTorch spelling', () => {
    expect(torchText('Conv2d', [1, 28, 28], { out_channels: 6, kernel_size: 5, padding: 2 })).toBe(
      'nn.Conv2d(1, 6, kernel_size=5, padding=2)',
    );
    expect(
      torchText('Conv2d', [3, 32, 32], {
        out_channels: 16,
        kernel_size: 3,
        stride: 2,
        padding: 1,
        bias: false,
      }),
    ).toBe('nn.Conv2d(3, 16, kernel_size=3, stride=2, padding=1, bias=False)');
    expect(
      torchText('Conv2d', [16, 10, 10], {
        out_channels: 16,
        kernel_size: [3, 5],
        dilation: 2,
        groups: 16,
        padding: [2, 4],
      }),
    ).toBe('nn.Conv2d(16, 16, kernel_size=(3, 5), padding=(2, 4), dilation=2, groups=16)');
    expect(torchText('Conv2d', [3, 8, 8], { out_channels: 4, kernel_size: 3 })).toBe(
      'nn.Conv2d(3, 4, kernel_size=3)',
    );
  });

  it('describe(): the node face line', () => {
    const { resolved } = infer('Conv2d', [[1, 28, 28]], { out_channels: 6, kernel_size: 5, padding: 2 });
    expect(requireLayer('Conv2d').describe(resolved)).toBe('5x5 s1 p2, 6 ch');
  });
});

describe('ConvTranspose2d', () => {
  it('(n-1)s - 2p + d(k-1) + output_padding + 1: 7 -> 13, or 14 with output_padding 1', () => {
    expect(
      out('ConvTranspose2d', [16, 7, 7], { out_channels: 8, kernel_size: 3, stride: 2, padding: 1 }),
    ).toEqual([8, 13, 13]);
    expect(
      out('ConvTranspose2d', [16, 7, 7], {
        out_channels: 8,
        kernel_size: 3,
        stride: 2,
        padding: 1,
        output_padding: 1,
      }),
    ).toEqual([8, 14, 14]);
  });

  it('k4 s2 p1 doubles the size; dilation widens the kernel', () => {
    expect(
      out('ConvTranspose2d', [8, 16, 16], { out_channels: 4, kernel_size: 4, stride: 2, padding: 1 }),
    ).toEqual([4, 32, 32]);
    expect(out('ConvTranspose2d', [4, 5, 5], { out_channels: 4, kernel_size: 3, dilation: 2 })).toEqual([
      4, 9, 9,
    ]);
  });

  it('output_padding must be below stride or dilation (NC013); output below 1 is NC008', () => {
    const i = issue('ConvTranspose2d', [[4, 5, 5]], { out_channels: 4, stride: 2, output_padding: 2 });
    expect(i.code).toBe(PROBLEMS.badParam.code);
    expect(i.param).toBe('output_padding');
    // output_padding 1 with stride 1 is allowed when dilation is 2
    expect(out('ConvTranspose2d', [4, 5, 5], { out_channels: 4, dilation: 2, output_padding: 1 })).toEqual([
      4, 10, 10,
    ]);
    const small = issue('ConvTranspose2d', [[4, 1, 1]], { out_channels: 4, kernel_size: 1, padding: 1 });
    expect(small.code).toBe(PROBLEMS.outputTooSmall.code);
    expect(small.arrived).toBe('-1 x -1');
  });

  it('channel mismatch and groups are checked as for Conv2d', () => {
    const i = issue('ConvTranspose2d', [[16, 7, 7]], { in_channels: 8, out_channels: 4 });
    expect(i.code).toBe('NC004');
    expect(i.fix).toEqual({
      kind: 'setParam',
      param: 'in_channels',
      value: 16,
      label: 'Set in_channels to 16',
    });
    expect(issue('ConvTranspose2d', [[16, 7, 7]], { out_channels: 6, groups: 4 }).code).toBe('NC018');
  });

  it('state: weight (in, out/groups, kh, kw), fan_in from dim 1, bias (out)', () => {
    const state = stateOf('ConvTranspose2d', [8, 16, 16], {
      out_channels: 4,
      kernel_size: 4,
      stride: 2,
      padding: 1,
      groups: 2,
    });
    const bound = 1 / Math.sqrt(2 * 16);
    expect(state).toEqual([
      {
        name: 'weight',
        shape: [8, 2, 4, 4],
        dtype: 'float32',
        role: 'parameter',
        init: { kind: 'uniform', bound },
      },
      { name: 'bias', shape: [4], dtype: 'float32', role: 'parameter', init: { kind: 'uniform', bound } },
    ]);
  });

  it('torch() includes output_padding', () => {
    expect(
      torchText('ConvTranspose2d', [16, 7, 7], {
        out_channels: 8,
        kernel_size: 3,
        stride: 2,
        padding: 1,
        output_padding: 1,
      }),
    ).toBe('nn.ConvTranspose2d(16, 8, kernel_size=3, stride=2, padding=1, output_padding=1)');
  });
});

describe('MaxPool2d and AvgPool2d', () => {
  it('2x2 halves, channels unchanged; stride defaults to the kernel size', () => {
    expect(out('MaxPool2d', [6, 28, 28], { kernel_size: 2 })).toEqual([6, 14, 14]);
    expect(out('AvgPool2d', [16, 10, 10], { kernel_size: 2 })).toEqual([16, 5, 5]);
    // stride null -> 3: (7 - 3) / 3 + 1 = 2
    expect(out('MaxPool2d', [3, 7, 7], { kernel_size: 3, stride: null })).toEqual([3, 2, 2]);
    expect(out('MaxPool2d', [3, 7, 7], { kernel_size: 3, stride: 1 })).toEqual([3, 5, 5]);
  });

  it("GoogLeNet's 112 -> 56 with 3x3 stride 2 ceil_mode, 55 without", () => {
    expect(out('MaxPool2d', [64, 112, 112], { kernel_size: 3, stride: 2, ceil_mode: true })).toEqual([
      64, 56, 56,
    ]);
    expect(out('MaxPool2d', [64, 112, 112], { kernel_size: 3, stride: 2 })).toEqual([64, 55, 55]);
    expect(out('AvgPool2d', [8, 8, 8], { kernel_size: 3, stride: 2, padding: 1, ceil_mode: true })).toEqual([
      8, 5, 5,
    ]);
    expect(out('AvgPool2d', [8, 8, 8], { kernel_size: 3, stride: 2, padding: 1 })).toEqual([8, 4, 4]);
  });

  it('ceil_mode never starts a window in the right padding (5, k2 s3 p1 -> 2)', () => {
    expect(out('MaxPool2d', [1, 5, 5], { kernel_size: 2, stride: 3, padding: 1, ceil_mode: true })).toEqual([
      1, 2, 2,
    ]);
  });

  it('MaxPool2d dilation widens the window', () => {
    expect(out('MaxPool2d', [2, 11, 11], { kernel_size: 3, stride: 2, dilation: 2 })).toEqual([2, 4, 4]);
  });

  it('padding above half the kernel is rejected (NC013 on padding); exactly half is fine', () => {
    for (const kind of ['MaxPool2d', 'AvgPool2d']) {
      const i = issue(kind, [[1, 8, 8]], { kernel_size: 3, padding: 2 });
      expect(i.code).toBe(PROBLEMS.badParam.code);
      expect(i.param).toBe('padding');
      expect(i.expected).toBe('padding <= 1');
      expect(out(kind, [1, 8, 8], { kernel_size: 3, stride: 1, padding: 1 })).toEqual([1, 8, 8]);
      expect(out(kind, [1, 8, 8], { kernel_size: 2, padding: 1 })).toEqual([1, 5, 5]);
    }
  });

  it('a window larger than the input is NC007; a flat input is NC014', () => {
    expect(issue('AvgPool2d', [[1, 1, 1]], { kernel_size: 2 }).code).toBe('NC007');
    expect(issue('MaxPool2d', [[16, 3, 3]], { kernel_size: 2, dilation: 3 }).code).toBe('NC007');
    expect(issue('MaxPool2d', [[100]], { kernel_size: 2 }).code).toBe('NC014');
  });

  it('no state, no macs; torch() and describe()', () => {
    const mp = requireLayer('MaxPool2d');
    const p = withDefaults(mp.params, { kernel_size: 3, stride: 2, ceil_mode: true });
    expect(mp.state(p, [[64, 112, 112]])).toEqual([]);
    expect(mp.macs(p, [[64, 112, 112]], [64, 56, 56])).toBe(0);
    expect(mp.torch(p)).toBe('nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True)');
    expect(mp.torch(withDefaults(mp.params, { kernel_size: 2 }))).toBe('nn.MaxPool2d(kernel_size=2)');
    expect(mp.describe(withDefaults(mp.params, { kernel_size: 2 }))).toBe('2x2 s2');
    const ap = requireLayer('AvgPool2d');
    expect(
      ap.torch(withDefaults(ap.params, { kernel_size: 3, stride: 2, padding: 1, count_include_pad: false })),
    ).toBe('nn.AvgPool2d(kernel_size=3, stride=2, padding=1, count_include_pad=False)');
  });
});

describe('AdaptiveAvgPool2d', () => {
  it('any input size to the requested output size, channels unchanged', () => {
    expect(out('AdaptiveAvgPool2d', [512, 7, 7])).toEqual([512, 1, 1]);
    expect(out('AdaptiveAvgPool2d', [8, 5, 7], { output_size: [2, 3] })).toEqual([8, 2, 3]);
    expect(out('AdaptiveAvgPool2d', [8, 1, 1], { output_size: 4 })).toEqual([8, 4, 4]);
    expect(issue('AdaptiveAvgPool2d', [[512]]).code).toBe('NC014');
    const def = requireLayer('AdaptiveAvgPool2d');
    expect(def.torch(withDefaults(def.params, {}))).toBe('nn.AdaptiveAvgPool2d(1)');
    expect(def.torch(withDefaults(def.params, { output_size: [2, 3] }))).toBe('nn.AdaptiveAvgPool2d((2, 3))');
  });
});

describe('Upsample', () => {
  it('scale_factor multiplies height and width (rounding down); channels unchanged', () => {
    expect(out('Upsample', [3, 14, 14])).toEqual([3, 28, 28]);
    expect(out('Upsample', [2, 5, 5], { scale_factor: 1.5, mode: 'bilinear' })).toEqual([2, 7, 7]);
  });

  it('size sets the output size directly when scale_factor is cleared', () => {
    expect(out('Upsample', [3, 7, 9], { size: [20, 30], scale_factor: null })).toEqual([3, 20, 30]);
    expect(out('Upsample', [3, 7, 9], { size: 7, scale_factor: null })).toEqual([3, 7, 7]);
  });

  it('exactly one of size and scale_factor: both or neither is NC013', () => {
    const both = issue('Upsample', [[3, 7, 7]], { size: 14, scale_factor: 2 });
    expect(both.code).toBe('NC013');
    expect(both.param).toBe('scale_factor');
    expect(both.arrived).toBe('both');
    const neither = issue('Upsample', [[3, 7, 7]], { size: null, scale_factor: null });
    expect(neither.code).toBe('NC013');
    expect(neither.param).toBe('size');
    expect(neither.arrived).toBe('neither');
  });

  it('align_corners with nearest is rejected with a fix that turns it off; fine with bilinear', () => {
    const i = issue('Upsample', [[3, 7, 7]], { align_corners: true });
    expect(i.code).toBe('NC013');
    expect(i.param).toBe('align_corners');
    expect(i.fix).toEqual({
      kind: 'setParam',
      param: 'align_corners',
      value: false,
      label: 'Turn align_corners off',
    });
    expect(out('Upsample', [3, 7, 7], { align_corners: true, mode: 'bilinear' })).toEqual([3, 14, 14]);
  });

  it('a scale that rounds to 0 pixels is NC008', () => {
    const i = issue('Upsample', [[3, 4, 4]], { scale_factor: 0.1 });
    expect(i.code).toBe(PROBLEMS.outputTooSmall.code);
    expect(i.arrived).toBe('0 x 0');
  });

  it('torch() writes a float scale_factor and align_corners only for bilinear', () => {
    const def = requireLayer('Upsample');
    expect(def.torch(withDefaults(def.params, {}))).toBe("nn.Upsample(scale_factor=2.0, mode='nearest')");
    expect(
      def.torch(
        withDefaults(def.params, {
          size: [20, 30],
          scale_factor: null,
          mode: 'bilinear',
          align_corners: true,
        }),
      ),
    ).toBe("nn.Upsample(size=(20, 30), mode='bilinear', align_corners=True)");
    expect(def.torch(withDefaults(def.params, { scale_factor: 1.5, mode: 'bilinear' }))).toBe(
      "nn.Upsample(scale_factor=1.5, mode='bilinear', align_corners=False)",
    );
  });
});

describe('BatchNorm1d and BatchNorm2d', () => {
  it('BatchNorm1d takes [C] and [C, L] and resolves num_features = C', () => {
    const flat = infer('BatchNorm1d', [[32]]);
    expect(flat.output).toEqual([32]);
    expect(flat.resolved.num_features).toBe(32);
    const seq = infer('BatchNorm1d', [[8, 20]]);
    expect(seq.output).toEqual([8, 20]);
    expect(seq.resolved.num_features).toBe(8);
  });

  it('BatchNorm1d on an image and BatchNorm2d on a vector are NC014', () => {
    const a = issue('BatchNorm1d', [[16, 8, 8]]);
    expect(a.code).toBe('NC014');
    expect(a.message).toContain('Use BatchNorm2d');
    const b = issue('BatchNorm2d', [[120]]);
    expect(b.code).toBe('NC014');
    expect(b.arrived).toBe('120');
    expect(b.message).toContain('Use BatchNorm1d');
    expect(issue('BatchNorm2d', [[4, 5]]).code).toBe('NC014');
    expect(out('BatchNorm2d', [16, 8, 8])).toEqual([16, 8, 8]);
  });

  it('num_features that disagrees is NC004 with a fix', () => {
    const i = issue('BatchNorm2d', [[16, 8, 8]], { num_features: 32 });
    expect(i.code).toBe('NC004');
    expect(i.param).toBe('num_features');
    expect(i.fix).toEqual({
      kind: 'setParam',
      param: 'num_features',
      value: 16,
      label: 'Set num_features to 16',
    });
  });

  it('state: weight 1, bias 0 (parameters); running_mean 0, running_var 1, num_batches_tracked int64 scalar', () => {
    expect(stateOf('BatchNorm2d', [16, 8, 8])).toEqual([
      { name: 'weight', shape: [16], dtype: 'float32', role: 'parameter', init: { kind: 'ones' } },
      { name: 'bias', shape: [16], dtype: 'float32', role: 'parameter', init: { kind: 'zeros' } },
      { name: 'running_mean', shape: [16], dtype: 'float32', role: 'buffer', init: { kind: 'zeros' } },
      { name: 'running_var', shape: [16], dtype: 'float32', role: 'buffer', init: { kind: 'ones' } },
      { name: 'num_batches_tracked', shape: [], dtype: 'int64', role: 'buffer', init: { kind: 'zeros' } },
    ]);
  });

  it('affine=False drops weight and bias; track_running_stats=False drops the buffers', () => {
    expect(stateOf('BatchNorm2d', [4, 3, 3], { affine: false }).map((s) => s.name)).toEqual([
      'running_mean',
      'running_var',
      'num_batches_tracked',
    ]);
    expect(stateOf('BatchNorm1d', [10], { track_running_stats: false }).map((s) => s.name)).toEqual([
      'weight',
      'bias',
    ]);
    expect(stateOf('BatchNorm1d', [10], { affine: false, track_running_stats: false })).toEqual([]);
  });

  it('torch() names only non-default settings', () => {
    expect(torchText('BatchNorm2d', [16, 8, 8])).toBe('nn.BatchNorm2d(16)');
    expect(
      torchText('BatchNorm1d', [10], { eps: 1e-3, momentum: 0.2, affine: false, track_running_stats: false }),
    ).toBe('nn.BatchNorm1d(10, eps=0.001, momentum=0.2, affine=False, track_running_stats=False)');
  });
});

describe('element-wise layers: ReLU, LeakyReLU, Sigmoid, Tanh, Dropout', () => {
  it('pass any shape through with no state', () => {
    for (const kind of ['ReLU', 'LeakyReLU', 'Sigmoid', 'Tanh', 'Dropout']) {
      expect(out(kind, [3, 4, 4])).toEqual([3, 4, 4]);
      expect(out(kind, [10])).toEqual([10]);
      expect(stateOf(kind, [10])).toEqual([]);
    }
  });

  it('torch() text', () => {
    const t = (kind: string, p: Params = {}) => torchText(kind, [10], p);
    expect(t('ReLU')).toBe('nn.ReLU()');
    expect(t('ReLU', { inplace: true })).toBe('nn.ReLU(inplace=True)');
    expect(t('LeakyReLU')).toBe('nn.LeakyReLU()');
    expect(t('LeakyReLU', { negative_slope: 0.2, inplace: true })).toBe(
      'nn.LeakyReLU(negative_slope=0.2, inplace=True)',
    );
    expect(t('Sigmoid')).toBe('nn.Sigmoid()');
    expect(t('Tanh')).toBe('nn.Tanh()');
    expect(t('Dropout')).toBe('nn.Dropout()');
    expect(t('Dropout', { p: 0.2 })).toBe('nn.Dropout(p=0.2)');
  });
});

describe('Softmax', () => {
  it('dim counted with the batch: 1 (or -1) on a vector, 1..3 on an image', () => {
    expect(out('Softmax', [10])).toEqual([10]);
    expect(out('Softmax', [10], { dim: -1 })).toEqual([10]);
    expect(out('Softmax', [3, 4, 5], { dim: 3 })).toEqual([3, 4, 5]);
    expect(out('Softmax', [3, 4, 5], { dim: -3 })).toEqual([3, 4, 5]);
  });

  it('the batch dimension or one past the end is NC013 on dim', () => {
    for (const dim of [0, 2, -2]) {
      const i = issue('Softmax', [[10]], { dim });
      expect(i.code).toBe('NC013');
      expect(i.param).toBe('dim');
      expect(i.arrived).toBe(String(dim));
    }
    expect(issue('Softmax', [[3, 4, 5]], { dim: -4 }).code).toBe('NC013');
    expect(torchText('Softmax', [10])).toBe('nn.Softmax(dim=1)');
  });
});

describe('Linear', () => {
  it('maps a vector of in_features to out_features; in_features resolves', () => {
    const r = infer('Linear', [[400]], { out_features: 120 });
    expect(r.output).toEqual([120]);
    expect(r.resolved.in_features).toBe(400);
  });

  it('a 4-D (C x H x W) input is NC005 with an insertBefore Flatten fix; the message gives the feature count', () => {
    const i = issue('Linear', [[16, 5, 5]], { out_features: 120 });
    expect(i.code).toBe(PROBLEMS.needsFlatInput.code);
    expect(i.input).toBe(0);
    expect(i.arrived).toBe('16 x 5 x 5');
    expect(i.message).toContain('400 features');
    expect(i.fix).toEqual({ kind: 'insertBefore', layer: 'Flatten', label: 'Insert Flatten' });
  });

  it('in_features that disagrees is NC006 with a setParam fix', () => {
    const i = issue('Linear', [[400]], { in_features: 256, out_features: 120 });
    expect(i.code).toBe(PROBLEMS.featureMismatch.code);
    expect(i.param).toBe('in_features');
    expect(i.expected).toBe('256 features');
    expect(i.arrived).toBe('400 features');
    expect(i.fix).toEqual({
      kind: 'setParam',
      param: 'in_features',
      value: 400,
      label: 'Set in_features to 400',
    });
  });

  it('state: weight (out, in) and bias (out), bound 1/sqrt(in); macs in*out', () => {
    const state = stateOf('Linear', [400], { out_features: 120 });
    const bound = 1 / Math.sqrt(400);
    expect(state).toEqual([
      {
        name: 'weight',
        shape: [120, 400],
        dtype: 'float32',
        role: 'parameter',
        init: { kind: 'uniform', bound },
      },
      { name: 'bias', shape: [120], dtype: 'float32', role: 'parameter', init: { kind: 'uniform', bound } },
    ]);
    expect(stateOf('Linear', [84], { out_features: 10, bias: false }).map((s) => s.name)).toEqual(['weight']);
    const { resolved } = infer('Linear', [[400]], { out_features: 120 });
    expect(requireLayer('Linear').macs(resolved, [[400]], [120])).toBe(48_000);
  });

  it('torch() text', () => {
    expect(torchText('Linear', [400], { out_features: 120 })).toBe('nn.Linear(400, 120)');
    expect(torchText('Linear', [84], { out_features: 10, bias: false })).toBe(
      'nn.Linear(84, 10, bias=False)',
    );
  });
});

describe('Flatten', () => {
  it('default start_dim 1: C x H x W -> C*H*W', () => {
    expect(out('Flatten', [16, 5, 5])).toEqual([400]);
    expect(out('Flatten', [32, 32, 32])).toEqual([32_768]);
    expect(out('Flatten', [10])).toEqual([10]);
  });

  it('start_dim and end_dim as PyTorch counts them (with the batch)', () => {
    expect(out('Flatten', [16, 5, 5], { start_dim: 2 })).toEqual([16, 25]);
    expect(out('Flatten', [4, 3, 2], { end_dim: 2 })).toEqual([12, 2]);
    expect(out('Flatten', [4, 3, 2], { end_dim: -2 })).toEqual([12, 2]);
    expect(out('Flatten', [4, 3, 2], { start_dim: 3 })).toEqual([4, 3, 2]);
  });

  it('dims outside the tensor or end before start are NC013', () => {
    const a = issue('Flatten', [[16, 5, 5]], { start_dim: 4 });
    expect(a.code).toBe('NC013');
    expect(a.param).toBe('start_dim');
    const b = issue('Flatten', [[16, 5, 5]], { start_dim: 3, end_dim: 2 });
    expect(b.code).toBe('NC013');
    expect(b.param).toBe('end_dim');
    expect(issue('Flatten', [[10]], { end_dim: -3 }).code).toBe('NC013');
    expect(torchText('Flatten', [16, 5, 5])).toBe('nn.Flatten()');
    expect(torchText('Flatten', [16, 5, 5], { start_dim: 2 })).toBe('nn.Flatten(start_dim=2)');
  });
});

describe('Reshape', () => {
  it('with one -1 inferred', () => {
    expect(out('Reshape', [784], { shape: [-1, 28, 28] })).toEqual([1, 28, 28]);
    expect(out('Reshape', [784], { shape: [1, 28, 28] })).toEqual([1, 28, 28]);
    expect(out('Reshape', [16, 5, 5], { shape: [-1] })).toEqual([400]);
    expect(out('Reshape', [16, 5, 5], { shape: [16, -1] })).toEqual([16, 25]);
  });

  it('a different element count is NC017 on shape', () => {
    const i = issue('Reshape', [[784]], { shape: [3, 28, 28] });
    expect(i.code).toBe(PROBLEMS.reshapeMismatch.code);
    expect(i.param).toBe('shape');
    expect(i.expected).toBe('2352 values');
    expect(i.arrived).toBe('784 values');
    const j = issue('Reshape', [[12]], { shape: [-1, 5] });
    expect(j.code).toBe('NC017');
    expect(j.expected).toBe('a multiple of 5 values');
  });

  it('two -1 entries is NC013', () => {
    expect(issue('Reshape', [[12]], { shape: [-1, -1] }).code).toBe('NC013');
    expect(torchText('Reshape', [784], { shape: [1, 28, 28] })).toBe('Reshape(1, 28, 28)');
  });
});

describe('Add', () => {
  it('inputs of one shape give that shape; two or more', () => {
    expect(
      infer('Add', [
        [16, 8, 8],
        [16, 8, 8],
      ]).output,
    ).toEqual([16, 8, 8]);
    expect(infer('Add', [[10], [10], [10]]).output).toEqual([10]);
  });

  it('different shapes are NC009 at the input that differs, saying both shapes', () => {
    const i = issue('Add', [
      [32, 4, 4],
      [16, 8, 8],
    ]);
    expect(i.code).toBe(PROBLEMS.addMismatch.code);
    expect(i.input).toBe(1);
    expect(i.expected).toBe('32 x 4 x 4');
    expect(i.arrived).toBe('16 x 8 x 8');
    expect(i.message).toContain('1x1 convolution');
    expect(issue('Add', [[10], [10], [12]]).input).toBe(2);
    expect(issue('Add', [[10], [10, 1]]).code).toBe('NC009');
  });
});

describe('Concat', () => {
  it('sums channels when height and width agree (Inception)', () => {
    expect(
      infer('Concat', [
        [64, 28, 28],
        [128, 28, 28],
        [32, 28, 28],
        [32, 28, 28],
      ]).output,
    ).toEqual([256, 28, 28]);
    expect(infer('Concat', [[10], [20]]).output).toEqual([30]);
  });

  it('spatial or rank mismatch is NC010 at the input that differs', () => {
    const i = issue('Concat', [
      [16, 8, 8],
      [16, 4, 4],
    ]);
    expect(i.code).toBe(PROBLEMS.concatMismatch.code);
    expect(i.input).toBe(1);
    expect(i.expected).toBe('C x 8 x 8');
    expect(i.arrived).toBe('16 x 4 x 4');
    const r = issue('Concat', [[16, 8, 8], [16]]);
    expect(r.code).toBe('NC010');
    expect(r.message).toContain('same rank');
  });
});

describe('Output', () => {
  it('takes one score per class', () => {
    expect(out('Output', [10])).toEqual([10]);
    expect(out('Output', [5], { num_classes: 5 })).toEqual([5]);
  });

  it('a class count that disagrees is NC015 with a setSourceParam fix on the Linear before it', () => {
    const i = issue('Output', [[5]], { num_classes: 10 });
    expect(i.code).toBe(PROBLEMS.classMismatch.code);
    expect(i.expected).toBe('10 scores');
    expect(i.arrived).toBe('5 scores');
    expect(i.fix).toEqual({
      kind: 'setSourceParam',
      input: 0,
      sourceKind: 'Linear',
      param: 'out_features',
      value: 10,
      label: 'Set out_features to 10',
    });
  });

  it('an image is NC005 with a Flatten fix', () => {
    const i = issue('Output', [[16, 5, 5]]);
    expect(i.code).toBe('NC005');
    expect(i.message).toContain('400 features');
    expect(i.fix?.kind).toBe('insertBefore');
  });
});

describe('checkParams', () => {
  const check = (kind: string, params: Params) => {
    const def = requireLayer(kind);
    return checkParams(def.params, withDefaults(def.params, params));
  };

  it('accepts auto, pairs, null strides and enum values', () => {
    expect(check('Conv2d', { in_channels: 'auto', kernel_size: [3, 5], padding: [0, 1] })).toBeNull();
    expect(check('MaxPool2d', { stride: null })).toBeNull();
    expect(check('Upsample', { mode: 'bilinear' })).toBeNull();
    expect(check('Dropout', { p: 0 })).toBeNull();
    expect(check('Dropout', { p: 1 })).toBeNull();
  });

  it.each([
    ['Conv2d', { kernel_size: 0 }, 'kernel_size'],
    ['Conv2d', { kernel_size: [3, 0] }, 'kernel_size'],
    ['Conv2d', { kernel_size: [3] }, 'kernel_size'],
    ['Conv2d', { kernel_size: 2.5 }, 'kernel_size'],
    ['Conv2d', { padding: -1 }, 'padding'],
    ['Conv2d', { stride: 0 }, 'stride'],
    ['Conv2d', { out_channels: 0 }, 'out_channels'],
    ['Conv2d', { out_channels: 2.5 }, 'out_channels'],
    ['Conv2d', { out_channels: 'auto' }, 'out_channels'],
    ['Conv2d', { in_channels: 'many' }, 'in_channels'],
    ['Conv2d', { bias: 'yes' }, 'bias'],
    ['Conv2d', { colour: 'red' }, 'colour'],
    ['Dropout', { p: 1.5 }, 'p'],
    ['Dropout', { p: -0.1 }, 'p'],
    ['Dropout', { p: Number.NaN }, 'p'],
    ['Upsample', { mode: 'bicubic' }, 'mode'],
    ['BatchNorm2d', { momentum: 2 }, 'momentum'],
    ['MaxPool2d', { stride: 0 }, 'stride'],
    ['Input', { shape: [] }, 'shape'],
    ['Input', { shape: [1, 28, 28, 3] }, 'shape'],
    ['Input', { shape: [0, 28, 28] }, 'shape'],
    ['Reshape', { shape: [-2, 4] }, 'shape'],
    ['Output', { num_classes: 1 }, 'num_classes'],
    ['Softmax', { dim: 4 }, 'dim'],
  ] as [string, Params, string][])('%s %j is NC013 on %s', (kind, params, param) => {
    const i = check(kind, params);
    expect(i).not.toBeNull();
    expect(i!.code).toBe(PROBLEMS.badParam.code);
    expect(i!.param).toBe(param);
    expect(i!.message).toContain(param);
  });

  it('says what arrived and what was expected', () => {
    const i = check('Dropout', { p: 1.5 })!;
    expect(i.arrived).toBe('1.5');
    expect(i.expected).toBe('a number >= 0 and <= 1');
    const m = check('Upsample', { mode: 'bicubic' })!;
    expect(m.arrived).toBe('"bicubic"');
    expect(m.expected).toBe('nearest | bilinear');
  });
});

describe('coverage', () => {
  it("every registry kind's shape rule was exercised above", () => {
    const missing = LAYERS.map((d) => d.kind).filter((k) => !exercised.has(k));
    expect(missing).toEqual([]);
  });
});
