// The editor store in plain Node: dispatch with undo/redo, clipboard, modules, fixes and block insertion.

import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../engine/graph/builder.ts';
import { modulePaths } from '../../engine/graph/modules.ts';
import { newProject } from '../../engine/io/project/project.ts';
import { lenetProject } from '../../renderer/src/project/lenet.ts';
import { createEditorStore } from '../../renderer/src/store/editor.ts';

function lenet() {
  return createEditorStore(lenetProject());
}

function node(store: ReturnType<typeof lenet>, id: string) {
  return store.getState().graph.nodes.find((n) => n.id === id);
}

describe('dispatch, undo and redo', () => {
  it('applies edits, records their inverse and tracks the dirty flag', () => {
    const store = lenet();
    const before = store.getState().graph;
    expect(store.getState().dirty).toBe(false);
    expect(store.getState().analysis.total.params).toBe(61706);

    store
      .getState()
      .dispatch([{ type: 'setParams', id: 'conv1', params: { out_channels: 8 } }], 'Set out_channels');
    expect(node(store, 'conv1')?.params.out_channels).toBe(8);
    expect(store.getState().dirty).toBe(true);
    // conv2 declares in_channels 6, so 8 arriving channels are a problem.
    expect(store.getState().analysis.problems.some((p) => p.nodeId === 'conv2')).toBe(true);

    store.getState().undo();
    expect(store.getState().graph).toEqual(before);
    expect(store.getState().dirty).toBe(false);
    expect(store.getState().analysis.problems).toEqual([]);

    store.getState().redo();
    expect(node(store, 'conv1')?.params.out_channels).toBe(8);
    expect(store.getState().dirty).toBe(true);
    expect(store.getState().future).toHaveLength(0);
  });

  it('merges steps typed into one field, and a new step clears redo', () => {
    const store = lenet();
    const { dispatch } = store.getState();
    for (const v of [1, 12, 120])
      dispatch([{ type: 'setParams', id: 'fc2', params: { in_features: v } }], 'Set in_features', {
        coalesce: 'fc2.in_features',
      });
    expect(store.getState().past).toHaveLength(1);
    store.getState().undo();
    expect(node(store, 'fc2')?.params.in_features).toBe(120);
    expect(store.getState().past).toHaveLength(0);
    expect(store.getState().future).toHaveLength(1);
    store.getState().dispatch([{ type: 'rename', id: 'fc2', name: 'hidden' }], 'Rename');
    expect(store.getState().future).toHaveLength(0);
  });

  it('refuses an edit that does not apply, leaves the graph alone and says why', () => {
    const store = lenet();
    const before = store.getState().graph;
    const ok = store.getState().dispatch([{ type: 'removeNode', id: 'conv1' }], 'Remove');
    expect(ok).toBe(false);
    expect(store.getState().graph).toBe(before);
    expect(store.getState().notice?.kind).toBe('error');
    expect(store.getState().notice?.text).toMatch(/still has edges/);
  });

  it('undoes a move, and a save marks the current step clean', () => {
    const store = lenet();
    store.getState().moveNodes({ conv1: { x: 5, y: 7 } });
    expect(store.getState().layout.conv1).toEqual({ x: 5, y: 7 });
    store.getState().markSaved({ id: 'f', name: 'lenet.json' });
    expect(store.getState().dirty).toBe(false);
    store.getState().undo();
    expect(store.getState().layout.conv1).toEqual({ x: 240, y: 0 });
    expect(store.getState().dirty).toBe(true);
    store.getState().redo();
    expect(store.getState().dirty).toBe(false);
  });
});

describe('clipboard', () => {
  it('copies the edges inside the selection, not the ones leaving it', () => {
    const store = lenet();
    store.getState().select(['conv1', 'relu1', 'pool1']);
    store.getState().copy();
    store.getState().paste();
    const s = store.getState();
    expect(s.selection).toHaveLength(3);
    const pasted = s.graph.nodes.filter((n) => s.selection.includes(n.id));
    expect(pasted.map((n) => n.kind)).toEqual(['Conv2d', 'ReLU', 'MaxPool2d']);
    expect(pasted.map((n) => n.name)).toEqual(['conv1_1', 'relu1_1', 'pool1_1']);
    const ids = new Set(pasted.map((n) => n.id));
    const touching = s.graph.edges.filter((e) => ids.has(e.source) || ids.has(e.target));
    expect(touching).toHaveLength(2);
    expect(touching.every((e) => ids.has(e.source) && ids.has(e.target))).toBe(true);
    // Positions shifted from the originals.
    expect(s.layout[pasted[0]!.id]).toEqual({ x: 280, y: 40 });
    store.getState().undo();
    expect(store.getState().graph.nodes).toHaveLength(14);
  });

  it('cuts (delete with undo) and pastes a whole module with its inside', () => {
    const b = new GraphBuilder();
    const x = b.layer('Input', { shape: [3, 8, 8] }, [], 'input');
    const y = b.sequential('features', x, [
      ['Conv2d', { out_channels: 4, padding: 1 }],
      ['ReLU', {}],
    ]);
    b.layer('Flatten', {}, [y], 'flatten');
    const store = createEditorStore(newProject('seq', b.graph));
    const group = store.getState().graph.groups[0]!.id;
    store.getState().select([group]);
    store.getState().cut();
    expect(store.getState().graph.groups).toHaveLength(0);
    expect(store.getState().graph.nodes.map((n) => n.name)).toEqual(['input', 'flatten']);
    store.getState().paste();
    const s = store.getState();
    expect(s.graph.groups.map((g) => g.name)).toEqual(['features']);
    const inner = s.graph.nodes.filter((n) => n.parent === s.graph.groups[0]!.id);
    expect(inner.map((n) => n.name)).toEqual(['0', '1']);
    expect(s.graph.edges.filter((e) => inner.some((n) => n.id === e.target))).toHaveLength(1);
    expect(s.analysis.problems.some((p) => p.code === 'NC011')).toBe(false);
  });

  it('pastes with the top-left corner at a given canvas position', () => {
    const store = lenet();
    store.getState().select(['fc2', 'relu4']);
    store.getState().copy();
    store.getState().paste({ x: 1000, y: 500 });
    const s = store.getState();
    const [a, b] = s.selection;
    expect(s.layout[a!]).toEqual({ x: 1000, y: 500 });
    expect(s.layout[b!]).toEqual({ x: 1240, y: 500 });
  });

  it('duplicates in place of the clipboard', () => {
    const store = lenet();
    store.getState().select(['fc1']);
    store.getState().duplicate();
    expect(store.getState().clipboard).toBeNull();
    expect(store.getState().graph.nodes.find((n) => n.name === 'fc1_1')?.params.out_features).toBe(120);
  });
});

describe('modules', () => {
  it('groups a selection into a module, ungroups it and undoes both', () => {
    const store = lenet();
    const original = store.getState().graph;
    store.getState().select(['conv1', 'relu1', 'pool1']);
    store.getState().groupSelection();
    let s = store.getState();
    expect(s.graph.groups).toHaveLength(1);
    const group = s.graph.groups[0]!;
    expect(s.selection).toEqual([group.id]);
    expect(modulePaths(s.graph).get('conv1')).toBe('block.conv1');
    expect(s.analysis.tree.children.some((c) => c.name === 'block' && c.children.length === 3)).toBe(true);

    store.getState().ungroupSelection();
    s = store.getState();
    expect(s.graph.groups).toHaveLength(0);
    expect(modulePaths(s.graph).get('conv1')).toBe('conv1');
    expect(s.selection).toEqual(['conv1', 'relu1', 'pool1']);

    store.getState().undo();
    store.getState().undo();
    expect(store.getState().graph).toEqual(original);
  });

  it('refuses to group layers from different modules', () => {
    const store = lenet();
    store.getState().select(['conv1']);
    store.getState().groupSelection();
    // conv1 now sits in the module "block", fc1 at the top level.
    store.getState().select(['conv1', 'fc1']);
    store.getState().groupSelection();
    expect(store.getState().notice?.text).toMatch(/different modules/);
    expect(store.getState().graph.groups).toHaveLength(1);
  });

  it('collapses and expands a module, moving its members along', () => {
    const store = lenet();
    store.getState().select(['conv1', 'relu1']);
    store.getState().groupSelection();
    const group = store.getState().graph.groups[0]!.id;
    store.getState().toggleCollapse(group);
    expect(store.getState().graph.groups[0]!.collapsed).toBe(true);
    expect(store.getState().layout[group]).toEqual({ x: 240, y: 0 });
    store.getState().moveNodes({ [group]: { x: 300, y: 100 } });
    store.getState().toggleCollapse(group);
    expect(store.getState().graph.groups[0]!.collapsed).toBe(false);
    expect(store.getState().layout.conv1).toEqual({ x: 300, y: 100 });
    expect(store.getState().layout.relu1).toEqual({ x: 540, y: 100 });
    store.getState().undo();
    expect(store.getState().graph.groups[0]!.collapsed).toBe(true);
    expect(store.getState().layout.conv1).toEqual({ x: 240, y: 0 });
  });

  it('deletes a selection with its edges, and undo brings the edges back in place', () => {
    const store = lenet();
    const original = store.getState().graph;
    store.getState().select(['relu2']);
    store.getState().deleteSelection();
    expect(store.getState().graph.edges).toHaveLength(original.edges.length - 2);
    expect(store.getState().selection).toEqual([]);
    store.getState().undo();
    expect(store.getState().graph).toEqual(original);
  });
});

describe('fixes and insertion', () => {
  it('applies the fix a problem offers, as one undoable step', () => {
    const store = lenet();
    store
      .getState()
      .dispatch([{ type: 'setParams', id: 'fc1', params: { in_features: 100 } }], 'Set in_features');
    const problem = store.getState().analysis.problems.find((p) => p.nodeId === 'fc1');
    expect(problem?.expected).toBe('100 features');
    expect(problem?.arrived).toBe('400 features');
    expect(problem?.fix?.label).toBe('Set in_features to 400');
    store.getState().applyFix(problem!);
    expect(store.getState().analysis.problems).toEqual([]);
    expect(node(store, 'fc1')?.params.in_features).toBe(400);
    store.getState().undo();
    expect(store.getState().analysis.problems.some((p) => p.nodeId === 'fc1')).toBe(true);
  });

  it('inserts a Flatten by fix and gives it a position', () => {
    const store = lenet();
    store.getState().select(['flatten']);
    store.getState().deleteSelection();
    store
      .getState()
      .dispatch(
        [{ type: 'addEdge', edge: { id: 'p2-fc1', source: 'pool2', target: 'fc1', port: 0 } }],
        'Connect',
      );
    const problem = store.getState().analysis.problems.find((p) => p.nodeId === 'fc1' && p.fix);
    expect(problem?.fix?.label).toBe('Insert Flatten');
    store.getState().applyFix(problem!);
    const s = store.getState();
    expect(s.analysis.problems).toEqual([]);
    const flatten = s.graph.nodes.find((n) => n.kind === 'Flatten')!;
    expect(s.layout[flatten.id]).toBeDefined();
  });

  it('adds a layer fed by a node, and a residual block that takes its channels from it', () => {
    const store = lenet();
    const [conv] = store.getState().addLayer('Conv2d', { x: 0, y: 300 }, { from: 'input' });
    const s = store.getState();
    expect(s.analysis.edges.get(s.graph.edges.at(-1)!.id)).toEqual([1, 28, 28]);
    expect(s.analysis.nodes.get(conv!)?.output).toEqual([16, 26, 26]);

    const [block] = store.getState().addBlock('Residual', { x: 0, y: 600 }, { from: conv! });
    const t = store.getState();
    const group = t.graph.groups.find((g) => g.id === block)!;
    expect(group.block?.kind).toBe('Residual');
    expect(group.block?.params.in_channels).toBe(16);
    const inside = t.graph.nodes.filter((n) => n.parent === block);
    expect(inside.length).toBeGreaterThan(4);
    expect(t.analysis.problems.filter((p) => p.severity === 'error')).toEqual([]);
    for (const n of inside) expect(t.layout[n.id]).toBeDefined();
    store.getState().undo();
    expect(store.getState().graph.groups).toHaveLength(0);
  });

  it('adds an unfed block and names the inputs that still need an edge', () => {
    const store = lenet();
    store.getState().addBlock('Residual', { x: 0, y: 600 });
    expect(store.getState().notice?.text).toMatch(/Connect the block's inputs: conv1, add \(input 2\)/);
  });

  it('renames the project as an undoable step', () => {
    const store = lenet();
    store.getState().renameProject('Digits');
    expect(store.getState().meta.name).toBe('Digits');
    expect(store.getState().toProject().name).toBe('Digits');
    store.getState().undo();
    expect(store.getState().meta.name).toBe('LeNet-5');
  });
});
