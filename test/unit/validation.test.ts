// Live validation: each problem analyze() reports, where it is pinned, what it says, and that its fix works.

import { describe, expect, it } from 'vitest';
import { type Analysis, analyze } from '../../engine/graph/analyze.ts';
import { Residual } from '../../engine/graph/blocks/residual.ts';
import { GraphBuilder } from '../../engine/graph/builder.ts';
import { applyEdits } from '../../engine/graph/edits.ts';
import type { Problem } from '../../engine/graph/problem.ts';
import type { Graph } from '../../engine/graph/types.ts';
import { PROBLEMS } from '../../engine/problems.ts';

function problemsWith(analysis: Analysis, code: string): Problem[] {
  return analysis.problems.filter((p) => p.code === code);
}

/** The single problem with `code`; fails if there are none or several. */
function the(graph: Graph, code: string): Problem {
  const found = problemsWith(analyze(graph), code);
  expect(found, `problems with ${code}: ${JSON.stringify(analyze(graph).problems, null, 1)}`).toHaveLength(1);
  return found[0]!;
}

/** Applies the problem's fix; the result must have no problems at all. */
function applyFix(graph: Graph, p: Problem): Graph {
  expect(p.fix, `${p.code} offers a fix`).toBeDefined();
  const fixed = applyEdits(graph, p.fix!.edits).graph;
  expect(analyze(fixed).problems).toEqual([]);
  return fixed;
}

/** Input [1, 28, 28] -> LeNet-5 trunk; returns the builder and the id of the 16 x 5 x 5 output. */
function lenetTrunk(): { b: GraphBuilder; trunk: string } {
  const b = new GraphBuilder();
  const x = b.layer('Input', { shape: [1, 28, 28] }, [], 'inp');
  const c1 = b.layer('Conv2d', { out_channels: 6, kernel_size: 5, padding: 2 }, [x], 'conv1');
  const r1 = b.layer('ReLU', {}, [c1], 'relu1');
  const p1 = b.layer('MaxPool2d', { kernel_size: 2 }, [r1], 'pool1');
  const c2 = b.layer('Conv2d', { out_channels: 16, kernel_size: 5 }, [p1], 'conv2');
  const r2 = b.layer('ReLU', {}, [c2], 'relu2');
  const p2 = b.layer('MaxPool2d', { kernel_size: 2 }, [r2], 'pool2');
  return { b, trunk: p2 };
}

/** A valid classifier: Input [n] -> Linear -> Output. */
function tiny(): GraphBuilder {
  const b = new GraphBuilder();
  const x = b.layer('Input', { shape: [8] }, [], 'inp');
  const fc = b.layer('Linear', { out_features: 4 }, [x], 'fc');
  b.layer('Output', { num_classes: 4 }, [fc], 'out');
  return b;
}

/** The chapter's ResNet for CIFAR-10 (conv 3->16 + BN, ResBlk(16,16), ResBlk(16,32), Linear(32*32*32, 10)). */
function chapterResNet(): Graph {
  const b = new GraphBuilder();
  const x = b.layer('Input', { shape: [3, 32, 32] }, [], 'inp');
  const stem = b.sequential('conv1', x, [
    ['Conv2d', { in_channels: 3, out_channels: 16, kernel_size: 3, padding: 1 }],
    ['BatchNorm2d', { num_features: 16 }],
  ]);
  const relu = b.layer('ReLU', {}, [stem], 'relu');
  const blk1 = Residual.build(b, relu, { in_channels: 16, out_channels: 16, style: 'chapter' }, 'blk1');
  const blk2 = Residual.build(b, blk1, { in_channels: 16, out_channels: 32, style: 'chapter' }, 'blk2');
  const flat = b.layer('Flatten', {}, [blk2], 'flatten');
  const fc = b.layer('Linear', { in_features: 32 * 32 * 32, out_features: 10 }, [flat], 'outlayer');
  b.layer('Output', { num_classes: 10 }, [fc], 'output');
  return b.graph;
}

describe('a valid graph', () => {
  it('LeNet-5 has no problems and the expected shapes', () => {
    const { b, trunk } = lenetTrunk();
    const flat = b.layer('Flatten', {}, [trunk], 'flatten');
    const fc1 = b.layer('Linear', { out_features: 120 }, [flat], 'fc1');
    const fc2 = b.layer('Linear', { out_features: 84 }, [fc1], 'fc2');
    const fc3 = b.layer('Linear', { out_features: 10 }, [fc2], 'fc3');
    b.layer('Output', {}, [fc3], 'out');
    const a = analyze(b.graph);
    expect(a.problems).toEqual([]);
    expect(a.nodes.get('conv1')!.output).toEqual([6, 28, 28]);
    expect(a.nodes.get('pool1')!.output).toEqual([6, 14, 14]);
    expect(a.nodes.get('conv2')!.output).toEqual([16, 10, 10]);
    expect(a.nodes.get('pool2')!.output).toEqual([16, 5, 5]);
    expect(a.nodes.get('flatten')!.output).toEqual([400]);
    expect(a.nodes.get('fc1')!.resolved!.in_features).toBe(400);
    expect(a.order).toEqual(b.graph.nodes.map((n) => n.id));
  });

  it("the chapter's ResNet (Residual style 'chapter') has zero problems and the expected shape on every edge", () => {
    const graph = chapterResNet();
    const a = analyze(graph);
    expect(a.problems).toEqual([]);
    const expected: Record<string, number[]> = {
      inp: [3, 32, 32],
      'conv1.0': [16, 32, 32],
      'conv1.1': [16, 32, 32],
      relu: [16, 32, 32],
      'blk1.conv1': [16, 32, 32],
      'blk1.bn1': [16, 32, 32],
      'blk1.relu': [16, 32, 32],
      'blk1.conv2': [16, 32, 32],
      'blk1.bn2': [16, 32, 32],
      'blk1.add': [16, 32, 32],
      'blk2.conv1': [32, 32, 32],
      'blk2.bn1': [32, 32, 32],
      'blk2.relu': [32, 32, 32],
      'blk2.conv2': [32, 32, 32],
      'blk2.bn2': [32, 32, 32],
      'blk2.extra.0': [32, 32, 32],
      'blk2.extra.1': [32, 32, 32],
      'blk2.add': [32, 32, 32],
      flatten: [32_768],
      outlayer: [10],
    };
    expect(new Set(graph.edges.map((e) => e.source))).toEqual(new Set(Object.keys(expected)));
    for (const edge of graph.edges) expect(a.edges.get(edge.id), edge.id).toEqual(expected[edge.source]);
    expect(a.edges.size).toBe(graph.edges.length);
    // blk1 has an identity shortcut (16 -> 16): the input of blk1 feeds both conv1 and the add.
    const intoAdd1 = graph.edges.filter((e) => e.target === 'blk1.add').map((e) => e.source);
    expect(intoAdd1).toEqual(['blk1.bn2', 'relu']);
    expect(a.total.params).toBe(347_498);
  });
});

describe('structure problems', () => {
  it('NC001 cycle: every node on the cycle, named in the message; nothing downstream is blamed', () => {
    const b = new GraphBuilder();
    const x = b.layer('Input', { shape: [4] }, [], 'inp');
    const add = b.layer('Add', {}, [x], 'add');
    const relu = b.layer('ReLU', {}, [add], 'relu');
    b.connect(relu, add, 1);
    const fc = b.layer('Linear', { out_features: 3 }, [relu], 'fc');
    b.layer('Output', { num_classes: 3 }, [fc], 'out');
    const a = analyze(b.graph);
    const cycle = problemsWith(a, PROBLEMS.cycle.code);
    expect(cycle.map((p) => p.nodeId).sort()).toEqual(['add', 'relu']);
    for (const p of cycle) {
      expect(p.severity).toBe('error');
      expect(p.message).toContain('add');
      expect(p.message).toContain('relu');
      expect(p.message).not.toContain('fc');
    }
    // Downstream of the cycle, layers simply have no shape: no problem of their own.
    expect(a.problems.filter((p) => p.nodeId === 'fc' || p.nodeId === 'out')).toEqual([]);
    expect(a.order).toEqual(['inp']);
  });

  it('NC001 cycle: a loop of two layers with nothing else', () => {
    const b = new GraphBuilder();
    b.graph.nodes.push(
      { id: 'a', kind: 'ReLU', name: 'a', params: {} },
      { id: 'b', kind: 'ReLU', name: 'b', params: {} },
    );
    b.connect('a', 'b');
    b.connect('b', 'a');
    const cycle = problemsWith(analyze(b.graph), 'NC001');
    expect(cycle.map((p) => p.nodeId)).toEqual(['a', 'b']);
    expect(cycle[0]!.message).toContain('(a, b)');
  });

  it('NC002 input not connected: pinned to the layer, says what it needs; downstream stays quiet', () => {
    const b = new GraphBuilder();
    b.layer('Input', { shape: [8] }, [], 'inp');
    const fc = b.layer('Linear', { out_features: 4 }, [], 'fc');
    b.layer('Output', { num_classes: 4 }, [fc], 'out');
    const p = the(b.graph, PROBLEMS.missingInput.code);
    expect(p.nodeId).toBe('fc');
    expect(p.message).toContain('fc (Linear) has no input');
    expect(p.expected).toBe('1 input');
    expect(p.arrived).toBe('0');
    expect(analyze(b.graph).problems.filter((q) => q.nodeId === 'out')).toEqual([]);
  });

  it('NC002 for an Add with one input says how many more', () => {
    const b = new GraphBuilder();
    const x = b.layer('Input', { shape: [8] }, [], 'inp');
    const add = b.layer('Add', {}, [x], 'add');
    b.layer('Output', { num_classes: 8 }, [add], 'out');
    const p = the(b.graph, 'NC002');
    expect(p.nodeId).toBe('add');
    expect(p.message).toContain('needs at least 2 inputs but has 1');
    expect(p.expected).toBe('2 inputs');
    expect(p.arrived).toBe('1');
  });

  it('NC003 too many inputs: two edges into one port, pinned to the extra edge; the fix deletes it', () => {
    const b = tiny();
    b.connect('inp', 'fc', 0);
    const p = the(b.graph, PROBLEMS.tooManyInputs.code);
    expect(p.nodeId).toBe('fc');
    expect(p.edgeId).toBe('inp->fc:0~1');
    expect(p.message).toContain('takes one input');
    expect(p.expected).toBe('1 input');
    expect(p.arrived).toBe('2');
    expect(p.fix!.edits).toEqual([{ type: 'removeEdge', id: 'inp->fc:0~1' }]);
    applyFix(b.graph, p);
  });

  it('NC003 for an edge into a port past the last, and for an edge into the Input', () => {
    const b = tiny();
    b.connect('inp', 'fc', 1);
    const p = the(b.graph, 'NC003');
    expect(p.edgeId).toBe('inp->fc:1');
    applyFix(b.graph, p);

    const d = tiny();
    const extra = d.layer('Input', { shape: [8] }, [], 'inp2');
    d.connect('inp', extra, 0);
    const q = problemsWith(analyze(d.graph), 'NC003');
    expect(q).toHaveLength(1);
    expect(q[0]!.nodeId).toBe('inp2');
    expect(q[0]!.message).toContain('takes no inputs');
  });

  it('NC020 edge to a missing node or at a bad port: pinned to the edge; the fix deletes it', () => {
    const b = tiny();
    b.graph.edges.push({ id: 'stray', source: 'fc', target: 'ghost', port: 0 });
    const p = the(b.graph, PROBLEMS.badEdge.code);
    expect(p.edgeId).toBe('stray');
    expect(p.nodeId).toBeUndefined();
    expect(p.message).toContain('a missing node "ghost"');
    expect(p.message).toContain('fc');
    applyFix(b.graph, p);

    const c = tiny();
    c.graph.edges.push({ id: 'neg', source: 'inp', target: 'fc', port: -1 });
    const q = the(c.graph, 'NC020');
    expect(q.message).toContain('invalid port -1');
    applyFix(c.graph, q);
  });

  it('NC019 unknown kind: pinned to the node, names the kind; downstream stays quiet', () => {
    const b = new GraphBuilder();
    const x = b.layer('Input', { shape: [8] }, [], 'inp');
    b.graph.nodes.push({ id: 'mystery', kind: 'Conv3d', name: 'mystery', params: {} });
    b.connect(x, 'mystery');
    const fc = b.layer('Linear', { in_features: 999, out_features: 4 }, ['mystery'], 'fc');
    b.layer('Output', { num_classes: 4 }, [fc], 'out');
    const a = analyze(b.graph);
    expect(a.problems.map((p) => p.code)).toEqual(['NC019']);
    expect(a.problems[0]!.nodeId).toBe('mystery');
    expect(a.problems[0]!.message).toContain('"Conv3d"');
    expect(a.nodes.get('fc')!.output).toBeUndefined();
  });

  it('NC016 no Input (error) and NC022 no Output (warning)', () => {
    const b = new GraphBuilder();
    b.layer('Output', { num_classes: 4 }, [], 'out');
    const p = the(b.graph, PROBLEMS.noInput.code);
    expect(p.severity).toBe('error');
    expect(p.nodeId).toBeUndefined();
    expect(p.message).toContain('no Input node');

    const c = new GraphBuilder();
    const x = c.layer('Input', { shape: [8] }, [], 'inp');
    c.layer('ReLU', {}, [x], 'relu');
    const q = the(c.graph, PROBLEMS.noOutput.code);
    expect(q.severity).toBe('warning');
    expect(q.message).toContain('no Output node');
    expect(analyze(c.graph).problems).toHaveLength(1);

    expect(analyze({ nodes: [], edges: [], groups: [] }).problems).toEqual([]);
  });

  it('NC023 a layer that does not reach the Output is a warning on that layer only', () => {
    const b = tiny();
    const loose = b.layer('ReLU', {}, ['inp'], 'loose');
    b.layer('Sigmoid', {}, [loose], 'looser');
    const a = analyze(b.graph);
    const unused = problemsWith(a, PROBLEMS.unused.code);
    expect(unused.map((p) => p.nodeId)).toEqual(['loose', 'looser']);
    for (const p of unused) expect(p.severity).toBe('warning');
    expect(a.problems).toHaveLength(2);
  });

  it('NC024 a node in a missing group: the fix moves it to the top level', () => {
    const b = tiny();
    b.graph.nodes[1] = { ...b.graph.nodes[1]!, parent: 'ghost/' };
    const p = the(b.graph, PROBLEMS.badGroup.code);
    expect(p.nodeId).toBe('fc');
    expect(p.message).toContain('"ghost/"');
    const fixed = applyFix(b.graph, p);
    expect(fixed.nodes[1]!.parent).toBeUndefined();
  });

  it('NC024 a group whose parent is missing, and a group nested in itself', () => {
    const b = tiny();
    b.graph.groups.push({ id: 'g', name: 'g', parent: 'nowhere' });
    const p = the(b.graph, 'NC024');
    expect(p.groupId).toBe('g');
    expect(p.message).toContain('"nowhere"');

    const c = tiny();
    c.graph.groups.push({ id: 'g1', name: 'g1', parent: 'g2' }, { id: 'g2', name: 'g2', parent: 'g1' });
    const loops = problemsWith(analyze(c.graph), 'NC024');
    expect(loops.map((q) => q.groupId)).toEqual(['g1', 'g2']);
    expect(loops[0]!.message).toContain('nested inside itself');
  });
});

describe('naming problems', () => {
  it('NC011 duplicate names among siblings: pinned to the second; the fix renames it', () => {
    const b = new GraphBuilder();
    const x = b.layer('Input', { shape: [8] }, [], 'inp');
    const a = b.layer('Linear', { out_features: 8 }, [x], 'fc');
    const c = b.layer('Linear', { out_features: 4 }, [a], 'fc');
    b.layer('Output', { num_classes: 4 }, [c], 'out');
    const p = the(b.graph, PROBLEMS.duplicateName.code);
    expect(p.nodeId).toBe('fc~1');
    expect(p.message).toContain('"fc"');
    expect(p.message).toContain('state_dict');
    expect(p.fix!.edits).toEqual([{ type: 'rename', id: 'fc~1', name: 'fc_1' }]);
    const fixed = applyFix(b.graph, p);
    expect(fixed.nodes.map((n) => n.name)).toEqual(['inp', 'fc', 'fc_1', 'out']);
  });

  it('NC011 a layer and a group with one name share a namespace; the same name in two modules is fine', () => {
    const b = tiny();
    b.graph.groups.push({ id: 'g', name: 'fc' });
    b.graph.nodes.splice(2, 0, { id: 'inner', kind: 'ReLU', name: 'fc', params: {}, parent: 'g' });
    b.graph.edges = [
      { id: 'e1', source: 'inp', target: 'fc', port: 0 },
      { id: 'e2', source: 'fc', target: 'inner', port: 0 },
      { id: 'e3', source: 'inner', target: 'out', port: 0 },
    ];
    const p = the(b.graph, 'NC011');
    expect(p.groupId).toBe('g');
    const fixed = applyFix(b.graph, p);
    expect(fixed.groups[0]!.name).toBe('fc_1');
  });

  it.each([
    ['class', 'Python keyword'],
    ['1abc', 'not a valid Python identifier'],
    ['forward', 'already an attribute of every nn.Module'],
    ['my-layer', 'not a valid Python identifier'],
    ['', 'cannot be empty'],
  ])('NC012 invalid name %j: %s', (name, why) => {
    const b = tiny();
    b.graph.nodes[1] = { ...b.graph.nodes[1]!, name };
    const p = the(b.graph, PROBLEMS.invalidName.code);
    expect(p.nodeId).toBe('fc');
    expect(p.message).toContain(why);
  });

  it('NC012 for a group name', () => {
    const b = tiny();
    b.graph.groups.push({ id: 'g', name: 'def' });
    b.graph.nodes[1] = { ...b.graph.nodes[1]!, parent: 'g' };
    const p = the(b.graph, 'NC012');
    expect(p.groupId).toBe('g');
  });

  it('NC021 mixed numbered and named children is a warning on the module', () => {
    const b = new GraphBuilder();
    const x = b.layer('Input', { shape: [8] }, [], 'inp');
    const y = b.group('body', () => {
      const a = b.layer('Linear', { out_features: 8 }, [x], '0');
      return b.layer('ReLU', {}, [a], 'act');
    });
    b.layer('Output', { num_classes: 8 }, [y], 'out');
    const p = the(b.graph, PROBLEMS.mixedNames.code);
    expect(p.severity).toBe('warning');
    expect(p.groupId).toBe('body/');
    expect(p.message).toContain('body mixes numbered children');
    // a Sequential-style group of indices only is fine
    const c = new GraphBuilder();
    const cx = c.layer('Input', { shape: [8] }, [], 'inp');
    const seq = c.sequential('body', cx, [
      ['Linear', { out_features: 8 }],
      ['ReLU', {}],
    ]);
    c.layer('Output', { num_classes: 8 }, [seq], 'out');
    expect(analyze(c.graph).problems).toEqual([]);
  });
});

describe('shape problems, with their fixes', () => {
  it('NC004 channel mismatch: pinned to node, edge and param; the fix sets in_channels', () => {
    const b = new GraphBuilder();
    const x = b.layer('Input', { shape: [1, 28, 28] }, [], 'inp');
    const c = b.layer('Conv2d', { in_channels: 3, out_channels: 6, kernel_size: 5 }, [x], 'conv');
    const f = b.layer('Flatten', {}, [c], 'flat');
    const fc = b.layer('Linear', {}, [f], 'fc');
    b.layer('Output', {}, [fc], 'out');
    const p = the(b.graph, PROBLEMS.channelMismatch.code);
    expect(p.nodeId).toBe('conv');
    expect(p.edgeId).toBe('inp->conv:0');
    expect(p.param).toBe('in_channels');
    expect(p.expected).toBe('3 channels');
    expect(p.arrived).toBe('1 channels');
    expect(p.message).toContain('conv: Conv2d expects 3 input channels');
    expect(p.message).toContain('1 arrive');
    expect(p.fix!.edits).toEqual([{ type: 'setParams', id: 'conv', params: { in_channels: 1 } }]);
    expect(analyze(b.graph).problems).toHaveLength(1);
    applyFix(b.graph, p);
  });

  it('NC005 Linear after a conv: the fix inserts a Flatten on the edge, and 400 features arrive', () => {
    const { b, trunk } = lenetTrunk();
    const fc1 = b.layer('Linear', { out_features: 120 }, [trunk], 'fc1');
    const fc2 = b.layer('Linear', { out_features: 10 }, [fc1], 'fc2');
    b.layer('Output', {}, [fc2], 'out');
    const p = the(b.graph, PROBLEMS.needsFlatInput.code);
    expect(p.nodeId).toBe('fc1');
    expect(p.edgeId).toBe('pool2->fc1:0');
    expect(p.arrived).toBe('16 x 5 x 5');
    expect(p.expected).toBe('a flat vector of features');
    expect(p.message).toContain('400 features');
    expect(p.fix!.label).toBe('Insert Flatten');
    const fixed = applyFix(b.graph, p);
    const flatten = fixed.nodes.find((n) => n.kind === 'Flatten')!;
    expect(flatten.name).toBe('flatten');
    // placed just before fc1 in module order, wired pool2 -> flatten -> fc1
    expect(fixed.nodes.map((n) => n.id).indexOf(flatten.id)).toBe(
      fixed.nodes.map((n) => n.id).indexOf('fc1') - 1,
    );
    expect(fixed.edges.filter((e) => e.target === flatten.id).map((e) => e.source)).toEqual(['pool2']);
    expect(fixed.edges.filter((e) => e.target === 'fc1').map((e) => e.source)).toEqual([flatten.id]);
    const a = analyze(fixed);
    expect(a.nodes.get('fc1')!.inputs).toEqual([[400]]);
    expect(a.nodes.get('fc1')!.resolved!.in_features).toBe(400);
  });

  it('NC005 an image into the Output: the fix inserts a Flatten', () => {
    const b = new GraphBuilder();
    const x = b.layer('Input', { shape: [10, 1, 1] }, [], 'inp');
    b.layer('Output', { num_classes: 10 }, [x], 'out');
    const p = the(b.graph, 'NC005');
    expect(p.nodeId).toBe('out');
    applyFix(b.graph, p);
  });

  it('NC006 feature mismatch: the fix sets in_features to 400', () => {
    const { b, trunk } = lenetTrunk();
    const flat = b.layer('Flatten', {}, [trunk], 'flatten');
    const fc1 = b.layer('Linear', { in_features: 256, out_features: 120 }, [flat], 'fc1');
    b.layer('Output', { num_classes: 120 }, [fc1], 'out');
    const p = the(b.graph, PROBLEMS.featureMismatch.code);
    expect(p.nodeId).toBe('fc1');
    expect(p.param).toBe('in_features');
    expect(p.edgeId).toBe('flatten->fc1:0');
    expect(p.expected).toBe('256 features');
    expect(p.arrived).toBe('400 features');
    expect(p.fix!.edits).toEqual([{ type: 'setParams', id: 'fc1', params: { in_features: 400 } }]);
    applyFix(b.graph, p);
  });

  it('NC007 kernel larger than the padded input', () => {
    const b = new GraphBuilder();
    const x = b.layer('Input', { shape: [1, 4, 4] }, [], 'inp');
    const c = b.layer('Conv2d', { out_channels: 2, kernel_size: 5 }, [x], 'conv');
    const f = b.layer('Flatten', {}, [c], 'flat');
    b.layer('Output', { num_classes: 2 }, [f], 'out');
    const p = the(b.graph, PROBLEMS.kernelTooLarge.code);
    expect(p.nodeId).toBe('conv');
    expect(p.param).toBe('kernel_size');
    expect(p.arrived).toBe('kernel span 5');
    expect(p.expected).toBe('kernel span <= 4');
    expect(p.message).toContain('only 4 high');
    expect(analyze(b.graph).problems).toHaveLength(1);
  });

  it('NC008 output below 1 pixel', () => {
    const b = new GraphBuilder();
    const x = b.layer('Input', { shape: [3, 4, 4] }, [], 'inp');
    const u = b.layer('Upsample', { scale_factor: 0.1 }, [x], 'down');
    const f = b.layer('Flatten', {}, [u], 'flat');
    b.layer('Output', { num_classes: 2 }, [f], 'out');
    const p = the(b.graph, PROBLEMS.outputTooSmall.code);
    expect(p.nodeId).toBe('down');
    expect(p.arrived).toBe('0 x 0');
    expect(p.message).toContain('0 x 0 output');
  });

  /** Input -> conv (stride) -> BN -> Add(bn, input) -> Flatten -> Output. */
  function residualMismatch(input: number[], out: number, stride: number) {
    const b = new GraphBuilder();
    const x = b.layer('Input', { shape: input }, [], 'inp');
    const c = b.layer('Conv2d', { out_channels: out, kernel_size: 3, stride, padding: 1 }, [x], 'conv');
    const bn = b.layer('BatchNorm2d', {}, [c], 'bn');
    const add = b.layer('Add', {}, [bn, x], 'add');
    const f = b.layer('Flatten', {}, [add], 'flat');
    const size = Math.floor((input[1]! - 1) / stride) + 1;
    b.layer('Output', { num_classes: out * size * size }, [f], 'out');
    return b.graph;
  }

  it('NC009 Add mismatch: the fix puts a 1x1 conv (stride 2) + BN on the shortcut', () => {
    const graph = residualMismatch([16, 8, 8], 32, 2);
    const p = the(graph, PROBLEMS.addMismatch.code);
    expect(p.nodeId).toBe('add');
    expect(p.edgeId).toBe('inp->add:1');
    expect(p.expected).toBe('32 x 4 x 4');
    expect(p.arrived).toBe('16 x 8 x 8');
    expect(p.message).toContain('input 1 is 32 x 4 x 4 and input 2 is 16 x 8 x 8');
    expect(p.fix!.label).toBe('Add a 1x1 projection (16 -> 32 channels, stride 2) on the shortcut');
    const fixed = applyFix(graph, p);
    const conv = fixed.nodes.find((n) => n.kind === 'Conv2d' && n.id !== 'conv')!;
    expect(conv.params).toMatchObject({
      in_channels: 16,
      out_channels: 32,
      kernel_size: 1,
      stride: 2,
      padding: 0,
      bias: false,
    });
    const bn = fixed.nodes.find((n) => n.kind === 'BatchNorm2d' && n.id !== 'bn')!;
    expect(bn.params.num_features).toBe(32);
    expect(fixed.edges.filter((e) => e.target === conv.id).map((e) => e.source)).toEqual(['inp']);
    expect(fixed.edges.filter((e) => e.target === bn.id).map((e) => e.source)).toEqual([conv.id]);
    expect(
      fixed.edges
        .filter((e) => e.target === 'add')
        .sort((x, y) => x.port - y.port)
        .map((e) => e.source),
    ).toEqual(['bn', bn.id]);
    expect(analyze(fixed).nodes.get('add')!.inputs).toEqual([
      [32, 4, 4],
      [32, 4, 4],
    ]);
  });

  it('NC009 Add mismatch on odd sizes (7 -> 4) and channels only (stride 1)', () => {
    const odd = residualMismatch([16, 7, 7], 32, 2);
    const p = the(odd, 'NC009');
    applyFix(odd, p);
    expect(p.fix!.edits.find((e) => e.type === 'addNode' && e.node.kind === 'Conv2d')).toMatchObject({
      node: { params: { stride: 2, in_channels: 16, out_channels: 32 } },
    });

    const wide = residualMismatch([16, 8, 8], 64, 1);
    const q = the(wide, 'NC009');
    expect(q.fix!.label).toBe('Add a 1x1 projection (16 -> 64 channels) on the shortcut');
    applyFix(wide, q);
  });

  it('NC010 Concat spatial mismatch: pinned to the edge of the input that differs', () => {
    const b = new GraphBuilder();
    const x = b.layer('Input', { shape: [8, 8, 8] }, [], 'inp');
    const a = b.layer('Conv2d', { out_channels: 4, kernel_size: 1 }, [x], 'a');
    const c = b.layer('Conv2d', { out_channels: 4, kernel_size: 3 }, [x], 'c');
    const cat = b.layer('Concat', {}, [a, c], 'cat');
    const f = b.layer('Flatten', {}, [cat], 'flat');
    b.layer('Output', { num_classes: 2 }, [f], 'out');
    const p = the(b.graph, PROBLEMS.concatMismatch.code);
    expect(p.nodeId).toBe('cat');
    expect(p.edgeId).toBe('c->cat:1');
    expect(p.expected).toBe('C x 8 x 8');
    expect(p.arrived).toBe('4 x 6 x 6');
    expect(p.fix).toBeUndefined();
    // padding 1 on the 3x3 branch makes it fit: 8 channels of 8 x 8
    const fixed = applyEdits(b.graph, [{ type: 'setParams', id: 'c', params: { padding: 1 } }]).graph;
    expect(analyze(fixed).nodes.get('cat')!.output).toEqual([8, 8, 8]);
  });

  it('NC013 bad parameter value: pinned to node and param, says what arrived', () => {
    const b = new GraphBuilder();
    const x = b.layer('Input', { shape: [8] }, [], 'inp');
    const d = b.layer('Dropout', { p: 1.5 }, [x], 'drop');
    b.layer('Output', { num_classes: 8 }, [d], 'out');
    const p = the(b.graph, PROBLEMS.badParam.code);
    expect(p.nodeId).toBe('drop');
    expect(p.param).toBe('p');
    expect(p.arrived).toBe('1.5');
    expect(p.expected).toBe('a number >= 0 and <= 1');
    expect(p.message).toContain('drop: p must be at most 1');
  });

  it('NC014 wrong rank: BatchNorm2d after a Flatten', () => {
    const b = new GraphBuilder();
    const x = b.layer('Input', { shape: [4, 2, 2] }, [], 'inp');
    const f = b.layer('Flatten', {}, [x], 'flat');
    const bn = b.layer('BatchNorm2d', {}, [f], 'bn');
    b.layer('Output', { num_classes: 16 }, [bn], 'out');
    const p = the(b.graph, PROBLEMS.wrongRank.code);
    expect(p.nodeId).toBe('bn');
    expect(p.edgeId).toBe('flat->bn:0');
    expect(p.arrived).toBe('16');
    expect(p.expected).toBe('a C x H x W image');
  });

  it('NC015 class mismatch: the fix sets the Linear before the Output to 10 outputs', () => {
    const b = new GraphBuilder();
    const x = b.layer('Input', { shape: [84] }, [], 'inp');
    const fc = b.layer('Linear', { out_features: 5 }, [x], 'fc');
    b.layer('Output', { num_classes: 10 }, [fc], 'out');
    const p = the(b.graph, PROBLEMS.classMismatch.code);
    expect(p.nodeId).toBe('out');
    expect(p.edgeId).toBe('fc->out:0');
    expect(p.expected).toBe('10 scores');
    expect(p.arrived).toBe('5 scores');
    expect(p.fix!.edits).toEqual([{ type: 'setParams', id: 'fc', params: { out_features: 10 } }]);
    applyFix(b.graph, p);
  });

  it('NC015 with no Linear right before the Output offers no fix', () => {
    const b = new GraphBuilder();
    const x = b.layer('Input', { shape: [5] }, [], 'inp');
    const r = b.layer('ReLU', {}, [x], 'relu');
    b.layer('Output', { num_classes: 10 }, [r], 'out');
    expect(the(b.graph, 'NC015').fix).toBeUndefined();
  });

  it('NC017 reshape changes the element count', () => {
    const b = new GraphBuilder();
    const x = b.layer('Input', { shape: [784] }, [], 'inp');
    const r = b.layer('Reshape', { shape: [3, 28, 28] }, [x], 'view');
    const f = b.layer('Flatten', {}, [r], 'flat');
    b.layer('Output', { num_classes: 2 }, [f], 'out');
    const p = the(b.graph, PROBLEMS.reshapeMismatch.code);
    expect(p.nodeId).toBe('view');
    expect(p.param).toBe('shape');
    expect(p.arrived).toBe('784 values');
    expect(p.expected).toBe('2352 values');
  });

  it('NC018 groups that do not divide the channels', () => {
    const b = new GraphBuilder();
    const x = b.layer('Input', { shape: [16, 8, 8] }, [], 'inp');
    const c = b.layer('Conv2d', { out_channels: 32, groups: 3 }, [x], 'conv');
    const f = b.layer('Flatten', {}, [c], 'flat');
    b.layer('Output', { num_classes: 2 }, [f], 'out');
    const p = the(b.graph, PROBLEMS.groupsMismatch.code);
    expect(p.nodeId).toBe('conv');
    expect(p.param).toBe('groups');
    expect(p.arrived).toBe('3');
    expect(p.expected).toBe('a divisor of 16 and 32');
  });
});

describe('no cascades', () => {
  it('a problem upstream leaves the layers after it without shapes and without problems of their own', () => {
    const b = new GraphBuilder();
    const x = b.layer('Input', { shape: [1, 28, 28] }, [], 'inp');
    const c1 = b.layer('Conv2d', { out_channels: 6, kernel_size: 0 }, [x], 'conv1');
    const c2 = b.layer('Conv2d', { in_channels: 99, out_channels: 16, kernel_size: 5 }, [c1], 'conv2');
    const fc = b.layer('Linear', { in_features: 12345, out_features: 7 }, [c2], 'fc');
    b.layer('Output', { num_classes: 10 }, [fc], 'out');
    const a = analyze(b.graph);
    expect(a.problems.map((p) => [p.code, p.nodeId])).toEqual([['NC013', 'conv1']]);
    for (const id of ['conv1', 'conv2', 'fc', 'out']) expect(a.nodes.get(id)!.output, id).toBeUndefined();
    expect(a.nodes.get('inp')!.output).toEqual([1, 28, 28]);
  });

  it('a problem on one branch does not stop the other branch from getting shapes', () => {
    const b = new GraphBuilder();
    const x = b.layer('Input', { shape: [8, 8, 8] }, [], 'inp');
    const bad = b.layer('Conv2d', { in_channels: 3, out_channels: 4 }, [x], 'bad');
    const good = b.layer('Conv2d', { out_channels: 4, kernel_size: 3 }, [x], 'good');
    const cat = b.layer('Concat', {}, [bad, good], 'cat');
    const f = b.layer('Flatten', {}, [cat], 'flat');
    b.layer('Output', { num_classes: 2 }, [f], 'out');
    const a = analyze(b.graph);
    expect(a.problems.map((p) => [p.code, p.nodeId])).toEqual([['NC004', 'bad']]);
    expect(a.nodes.get('good')!.output).toEqual([4, 6, 6]);
    expect(a.nodes.get('cat')!.output).toBeUndefined();
  });
});
