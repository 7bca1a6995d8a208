// The Output layer's class_weights parameter: the list-of-floats schema type, validation with fixes, lowering into
// the loss, model.py's loss_function(), the PyTorch project's settings.json and train.py, the project file round
// trip, and the inspector's text field (the numbers against torch are test/oracle/output-class-weights.test.ts).

import { describe, expect, it } from 'vitest';
import { compile } from '../../engine/compile/compile.ts';
import type { DataSet } from '../../engine/data/types.ts';
import { analyze } from '../../engine/graph/analyze.ts';
import { GraphBuilder } from '../../engine/graph/builder.ts';
import type { Graph } from '../../engine/graph/types.ts';
import { newProject, parseProject, serializeProject } from '../../engine/io/project/project.ts';
import { generateModelCode } from '../../engine/io/pytorch-code/index.ts';
import { exportPyTorchProject } from '../../engine/io/pytorch-project/index.ts';
import { Output } from '../../engine/layers/output.ts';
import { checkParams, withDefaults } from '../../engine/layers/params.ts';
import type { ParamValue } from '../../engine/layers/types.ts';
import { PROBLEMS } from '../../engine/problems.ts';
import { runSettings } from '../../engine/train/settings.ts';
import { parseValue } from '../../renderer/src/panels/paramText.ts';

function net(output: Record<string, ParamValue>): Graph {
  const b = new GraphBuilder();
  let x = b.layer('Input', { shape: [1, 2, 3] }, [], 'input');
  x = b.layer('Flatten', {}, [x], 'flatten');
  x = b.layer('Linear', { out_features: 3 }, [x], 'fc');
  b.layer('Output', { num_classes: 3, ...output }, [x], 'output');
  return b.graph;
}
const problems = (graph: Graph) => analyze(graph).problems.filter((p) => p.severity === 'error');

describe('Output class_weights', () => {
  it('defaults to None and accepts a list of finite numbers >= 0', () => {
    expect(Output.params.class_weights).toMatchObject({
      type: 'floats',
      default: null,
      nullable: true,
      min: 0,
    });
    for (const value of [null, [], [1, 0.5, 0], [2.5, 1e-3, 7]])
      expect(checkParams(Output.params, withDefaults(Output.params, { class_weights: value }))).toBeNull();
    for (const value of [[1, -0.5, 1], 'heavy', 3, [1, Number.NaN, 1], [1, Number.POSITIVE_INFINITY, 1]]) {
      const issue = checkParams(Output.params, withDefaults(Output.params, { class_weights: value }));
      expect(issue?.code, JSON.stringify(value)).toBe(PROBLEMS.badParam.code);
      expect(issue?.param).toBe('class_weights');
      expect(issue?.message).toBe('class_weights must be a list of numbers >= 0, or None.');
    }
  });

  it('must give one weight per class, not all 0, and offers to clear it', () => {
    expect(problems(net({ class_weights: [1, 2, 3] }))).toEqual([]);
    expect(problems(net({ class_weights: [] }))).toEqual([]);
    const [short] = problems(net({ class_weights: [1, 2] }));
    expect(short).toMatchObject({
      code: PROBLEMS.classWeightsMismatch.code,
      param: 'class_weights',
      expected: '3 weights',
      arrived: '2 weights',
    });
    expect(short!.message).toBe(
      'output: class_weights has 2 weights for 3 classes. Give one weight per class (3 numbers, in class order), or clear the field for none.',
    );
    expect(short!.fix?.edits).toEqual([{ type: 'setParams', id: 'output', params: { class_weights: null } }]);
    const [zeros] = problems(net({ class_weights: [0, 0, 0] }));
    expect(zeros).toMatchObject({ code: PROBLEMS.classWeightsMismatch.code, param: 'class_weights' });
    expect(zeros!.message).toContain('Give at least one class a weight above 0');
  });

  it('lowers into the cross-entropy op, and None or [] into no weights', () => {
    const attrs = (graph: Graph) => compile(graph, 2).forward.find((s) => s.op === 'cross_entropy')!.attrs;
    expect(attrs(net({ class_weights: [1, 0.5, 2], label_smoothing: 0.1 }))).toEqual({
      labelSmoothing: 0.1,
      classWeights: [1, 0.5, 2],
    });
    expect(attrs(net({ class_weights: null }))).toEqual({ labelSmoothing: 0 });
    expect(attrs(net({ class_weights: [] }))).toEqual({ labelSmoothing: 0 });
  });

  it("model.py defines loss_function() when the Output's loss is more than nn.CrossEntropyLoss()", () => {
    const weighted = generateModelCode(net({ class_weights: [1, 0.5, 2], label_smoothing: 0.1 }));
    expect(weighted).toContain(
      [
        'def loss_function():',
        '    """The loss NeuroCanvas trains this model with: cross-entropy on the class scores (logits)."""',
        '    return nn.CrossEntropyLoss(weight=torch.tensor([1.0, 0.5, 2.0]), label_smoothing=0.1)',
      ].join('\n'),
    );
    expect(generateModelCode(net({ label_smoothing: 0.2 }))).toContain(
      'return nn.CrossEntropyLoss(label_smoothing=0.2)',
    );
    expect(generateModelCode(net({}))).not.toContain('loss_function');
    expect(() => generateModelCode(net({ class_weights: [1] }))).toThrow(/class_weights has 1 weights/);
  });

  it('reaches settings.json and the criterion of the exported train.py', () => {
    const dataset: DataSet = {
      images: new Uint8Array(10 * 6),
      labels: Int32Array.from({ length: 10 }, (_, i) => i % 3),
      shape: [1, 2, 3],
      classes: ['a', 'b', 'c'],
      source: { kind: 'builtin', name: 'test', files: [], parts: [] },
    };
    const files = (graph: Graph) =>
      exportPyTorchProject(graph, {
        settings: runSettings(null, { seed: 1 }),
        dataset,
        projectName: 'weighted',
      });
    const text = (graph: Graph, path: string) => {
      const file = files(graph).find((f) => f.path === path)!;
      return 'text' in file ? file.text : '';
    };
    const settings = (graph: Graph) => JSON.parse(text(graph, 'settings.json'));
    expect(settings(net({ class_weights: [1, 0.5, 2] })).class_weights).toEqual([1, 0.5, 2]);
    expect(settings(net({})).class_weights).toBeNull();
    const train = text(net({}), 'train.py');
    expect(train).toContain(
      'criterion = nn.CrossEntropyLoss(weight=weight, label_smoothing=float(s.get("label_smoothing", 0.0))).to(device)',
    );
    expect(train).toContain('loss = criterion(logits, y)');
    expect(train).not.toContain('F.cross_entropy');
  });

  it('round-trips through the project file', () => {
    const project = newProject('weighted', net({ class_weights: [1, 0.25, 3.5], label_smoothing: 0.1 }));
    const text = serializeProject(project);
    const back = parseProject(text);
    expect(back.graph.nodes.find((n) => n.kind === 'Output')!.params.class_weights).toEqual([1, 0.25, 3.5]);
    expect(serializeProject(back)).toBe(text);
    const none = parseProject(serializeProject(newProject('plain', net({}))));
    expect(none.graph.nodes.find((n) => n.kind === 'Output')!.params.class_weights).toBeNull();
  });

  it('reads from the inspector field: numbers separated by commas, empty for None', () => {
    const spec = Output.params.class_weights!;
    expect(parseValue(spec, '1, 0.5, 2e-1')).toEqual({ ok: true, value: [1, 0.5, 0.2] });
    expect(parseValue(spec, '[1 2 3]')).toEqual({ ok: true, value: [1, 2, 3] });
    expect(parseValue(spec, '  ')).toEqual({ ok: true, value: null });
    expect(parseValue(spec, '1, x')).toEqual({
      ok: false,
      message: 'Type numbers separated by commas, like 1, 0.5, 2, or clear the field for None.',
    });
  });
});
