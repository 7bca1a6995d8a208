// Graph edits: each one applied then its inverse gives the graph back; sequences undo in one go; bad edits throw.

import { describe, expect, it } from 'vitest';
import { analyze } from '../../engine/graph/analyze.ts';
import { GraphBuilder } from '../../engine/graph/builder.ts';
import { applyEdit, applyEdits, EditError, type GraphEdit } from '../../engine/graph/edits.ts';
import type { Graph } from '../../engine/graph/types.ts';

/** Input -> conv -> block(bn, act) -> flatten -> fc -> out, with one group and a nested group. */
function base(): Graph {
  const b = new GraphBuilder();
  const x = b.layer('Input', { shape: [1, 8, 8] }, [], 'inp');
  const c = b.layer('Conv2d', { out_channels: 4, kernel_size: 3, padding: 1 }, [x], 'conv');
  const y = b.group('block', () => {
    const bn = b.layer('BatchNorm2d', {}, [c], 'bn');
    return b.group('inner', () => b.layer('ReLU', {}, [bn], 'act'));
  });
  const f = b.layer('Flatten', {}, [y], 'flatten');
  const fc = b.layer('Linear', { out_features: 10 }, [f], 'fc');
  b.layer('Output', {}, [fc], 'out');
  b.graph.groups[0]!.collapsed = false;
  return b.graph;
}

function clone(graph: Graph): Graph {
  return structuredClone(graph);
}

/** Applies `edit`, checks the original is untouched, undoes it and checks the result is the original. */
function roundTrip(edit: GraphEdit, graph: Graph = base()): Graph {
  const before = clone(graph);
  const { graph: after, inverse } = applyEdit(graph, edit);
  expect(graph, 'the input graph is not mutated').toStrictEqual(before);
  expect(after).not.toStrictEqual(before);
  const undone = applyEdit(after, inverse).graph;
  expect(undone).toStrictEqual(before);
  return after;
}

describe('each edit and its inverse', () => {
  it('addNode (at an index and at the end)', () => {
    const node = { id: 'drop', kind: 'Dropout', name: 'drop', params: { p: 0.3 } };
    const after = roundTrip({ type: 'addNode', node, index: 2 });
    expect(after.nodes[2]).toEqual(node);
    const atEnd = roundTrip({ type: 'addNode', node });
    expect(atEnd.nodes.at(-1)).toEqual(node);
  });

  it('removeNode puts it back at the same index', () => {
    const graph = base();
    graph.nodes.splice(3, 0, { id: 'loose', kind: 'ReLU', name: 'loose', params: {}, parent: 'block/' });
    const after = roundTrip({ type: 'removeNode', id: 'loose' }, graph);
    expect(after.nodes.map((n) => n.id)).not.toContain('loose');
  });

  it('setParams: change, add and clear parameters', () => {
    const after = roundTrip({ type: 'setParams', id: 'conv', params: { out_channels: 8, kernel_size: 5 } });
    expect(after.nodes[1]!.params.out_channels).toBe(8);
    const graph = base();
    graph.nodes[1] = { ...graph.nodes[1]!, params: { out_channels: 4 } };
    const added = roundTrip({ type: 'setParams', id: 'conv', params: { stride: 2 } }, graph);
    expect(added.nodes[1]!.params).toEqual({ out_channels: 4, stride: 2 });
    const cleared = roundTrip({ type: 'setParams', id: 'conv', params: { out_channels: undefined } }, graph);
    expect(cleared.nodes[1]!.params).toEqual({});
  });

  it('rename a node and a group', () => {
    expect(
      roundTrip({ type: 'rename', id: 'fc', name: 'classifier' }).nodes.find((n) => n.id === 'fc')!.name,
    ).toBe('classifier');
    expect(roundTrip({ type: 'rename', id: 'block/', name: 'stage1' }).groups[0]!.name).toBe('stage1');
  });

  it('addEdge and removeEdge keep edge order', () => {
    const edge = { id: 'skip', source: 'conv', target: 'flatten', port: 1 };
    expect(roundTrip({ type: 'addEdge', edge }).edges.at(-1)).toEqual(edge);
    expect(roundTrip({ type: 'addEdge', edge, index: 0 }).edges[0]).toEqual(edge);
    const graph = base();
    const second = graph.edges[1]!.id;
    const after = roundTrip({ type: 'removeEdge', id: second }, graph);
    expect(after.edges).toHaveLength(graph.edges.length - 1);
  });

  it('addGroup and removeGroup', () => {
    const group = { id: 'head/', name: 'head' };
    expect(roundTrip({ type: 'addGroup', group, index: 1 }).groups[1]).toEqual(group);
    const graph = base();
    graph.groups.push({ id: 'empty/', name: 'empty', parent: 'block/' });
    graph.groups.unshift({ id: 'first/', name: 'first' });
    roundTrip({ type: 'removeGroup', id: 'first/' }, graph);
    roundTrip({ type: 'removeGroup', id: 'empty/' }, graph);
  });

  it('setParent: into a group, out to the root, and a group into another', () => {
    const into = roundTrip({ type: 'setParent', id: 'fc', parent: 'block/' });
    expect(into.nodes.find((n) => n.id === 'fc')!.parent).toBe('block/');
    const out = roundTrip({ type: 'setParent', id: 'block.bn', parent: undefined });
    expect('parent' in out.nodes.find((n) => n.id === 'block.bn')!).toBe(false);
    const groupOut = roundTrip({ type: 'setParent', id: 'block.inner/', parent: undefined });
    expect(groupOut.groups[1]!.parent).toBeUndefined();
    const graph = base();
    graph.groups.push({ id: 'other/', name: 'other' });
    const groupIn = roundTrip({ type: 'setParent', id: 'other/', parent: 'block.inner/' }, graph);
    expect(groupIn.groups[2]!.parent).toBe('block.inner/');
  });

  it('setCollapsed on a group that had the flag', () => {
    expect(roundTrip({ type: 'setCollapsed', id: 'block/', collapsed: true }).groups[0]!.collapsed).toBe(
      true,
    );
  });

  it('setCollapsed on a group that never had the flag gives back the group as it was', () => {
    // base()'s inner group has no `collapsed` field at all.
    expect('collapsed' in base().groups[1]!).toBe(false);
    roundTrip({ type: 'setCollapsed', id: 'block.inner/', collapsed: true });
  });

  it('moveNode forwards and backwards', () => {
    const fwd = roundTrip({ type: 'moveNode', id: 'conv', index: 4 });
    expect(fwd.nodes[4]!.id).toBe('conv');
    const back = roundTrip({ type: 'moveNode', id: 'out', index: 0 });
    expect(back.nodes[0]!.id).toBe('out');
  });
});

describe('applyEdits', () => {
  it('a sequence and its inverse list (already reversed) give back the graph', () => {
    const graph = base();
    const before = clone(graph);
    const edits: GraphEdit[] = [
      { type: 'removeEdge', id: 'fc->out:0' },
      { type: 'addNode', node: { id: 'drop', kind: 'Dropout', name: 'drop', params: {} }, index: 5 },
      { type: 'addEdge', edge: { id: 'e1', source: 'fc', target: 'drop', port: 0 } },
      { type: 'addEdge', edge: { id: 'e2', source: 'drop', target: 'out', port: 0 } },
      { type: 'setParams', id: 'fc', params: { out_features: 10, bias: false } },
      { type: 'rename', id: 'block/', name: 'features' },
      { type: 'addGroup', group: { id: 'head/', name: 'head' } },
      { type: 'setParent', id: 'fc', parent: 'head/' },
      { type: 'setParent', id: 'drop', parent: 'head/' },
      { type: 'setCollapsed', id: 'block/', collapsed: true },
      { type: 'moveNode', id: 'flatten', index: 1 },
    ];
    const { graph: after, inverse } = applyEdits(graph, edits);
    expect(graph).toStrictEqual(before);
    expect(inverse).toHaveLength(edits.length);
    expect(inverse[0]).toEqual({ type: 'moveNode', id: 'flatten', index: 4 });
    expect(inverse.at(-1)).toEqual({
      type: 'addEdge',
      edge: { id: 'fc->out:0', source: 'fc', target: 'out', port: 0 },
      index: 5,
    });
    expect(after.nodes.find((n) => n.id === 'drop')).toEqual({
      id: 'drop',
      kind: 'Dropout',
      name: 'drop',
      params: {},
      parent: 'head/',
    });
    expect(analyze(after).problems).toEqual([]);
    expect(applyEdits(after, inverse).graph).toStrictEqual(before);
    // and redo: the inverse of the inverse is the sequence again
    const redo = applyEdits(applyEdits(after, inverse).graph, applyEdits(after, inverse).inverse).graph;
    expect(redo).toStrictEqual(after);
  });

  it('a fix (insert Flatten on an edge) undoes exactly', () => {
    const b = new GraphBuilder();
    const x = b.layer('Input', { shape: [4, 2, 2] }, [], 'inp');
    const fc = b.layer('Linear', { out_features: 3 }, [x], 'fc');
    b.layer('Output', { num_classes: 3 }, [fc], 'out');
    const before = clone(b.graph);
    const fix = analyze(b.graph).problems[0]!.fix!;
    const { graph: fixed, inverse } = applyEdits(b.graph, fix.edits);
    expect(analyze(fixed).problems).toEqual([]);
    expect(applyEdits(fixed, inverse).graph).toStrictEqual(before);
  });

  it('an edit that fails part way throws and leaves the graph untouched', () => {
    const graph = base();
    const before = clone(graph);
    expect(() =>
      applyEdits(graph, [
        { type: 'rename', id: 'fc', name: 'x' },
        { type: 'removeNode', id: 'ghost' },
      ]),
    ).toThrow(EditError);
    expect(graph).toStrictEqual(before);
  });
});

describe('edits that are refused', () => {
  const refused: [string, GraphEdit, RegExp][] = [
    ['removing a node that still has edges', { type: 'removeNode', id: 'conv' }, /still has edges/],
    ['a group into itself', { type: 'setParent', id: 'block/', parent: 'block/' }, /inside itself/],
    [
      'a group into its own child',
      { type: 'setParent', id: 'block/', parent: 'block.inner/' },
      /inside itself/,
    ],
    [
      'a parent that does not exist',
      { type: 'setParent', id: 'fc', parent: 'ghost/' },
      /no group with id "ghost\/"/,
    ],
    ['removing a group with children', { type: 'removeGroup', id: 'block/' }, /still has children/],
    [
      'a node id that exists',
      { type: 'addNode', node: { id: 'fc', kind: 'ReLU', name: 'r', params: {} } },
      /already exists/,
    ],
    [
      'an edge id that exists',
      { type: 'addEdge', edge: { id: 'inp->conv:0', source: 'inp', target: 'conv', port: 0 } },
      /already exists/,
    ],
    ['a group id that exists', { type: 'addGroup', group: { id: 'block/', name: 'b' } }, /already exists/],
    [
      'params of a missing node',
      { type: 'setParams', id: 'ghost', params: { p: 1 } },
      /no node with id "ghost"/,
    ],
    ['renaming something missing', { type: 'rename', id: 'ghost', name: 'x' }, /no node or group/],
    ['removing a missing edge', { type: 'removeEdge', id: 'ghost' }, /no edge/],
    ['collapsing a missing group', { type: 'setCollapsed', id: 'ghost', collapsed: true }, /no group/],
    ['moving a missing node', { type: 'moveNode', id: 'ghost', index: 0 }, /no node/],
  ];
  it.each(refused)('%s', (_what, edit, message) => {
    const graph = base();
    const before = clone(graph);
    expect(() => applyEdit(graph, edit)).toThrow(EditError);
    expect(() => applyEdit(graph, edit)).toThrow(message);
    expect(graph).toStrictEqual(before);
  });
});
