// The session's pure parts in plain Node: data/network fit and its fixes, chart data and progress, worker events
// folded into the store, drops made relative, gallery order, histograms, transfer lists, project settings.

import { describe, expect, it } from 'vitest';
import { analyze } from '../../engine/graph/analyze.ts';
import type { EpochMetrics, StepMetrics } from '../../engine/train/metrics.ts';
import { sparklinePoints } from '../../renderer/src/canvas/NodeSparkline.tsx';
import { ticks } from '../../renderer/src/panels/training/LineChart.tsx';
import { type DataItem, relativeToRoot } from '../../renderer/src/platform/drops.ts';
import { lenetProject } from '../../renderer/src/project/lenet.ts';
import { bucketed, chartData, progressOf } from '../../renderer/src/session/charts.ts';
import { applyEvent } from '../../renderer/src/session/engine.ts';
import { dataFit } from '../../renderer/src/session/fit.ts';
import { convolve3x3, pickNode } from '../../renderer/src/session/inspect.ts';
import { createSessionStore, IDLE_RUN, TRACE_POINTS } from '../../renderer/src/session/store.ts';
import { createEditorStore } from '../../renderer/src/store/editor.ts';
import { galleryOrder, topClass } from '../../renderer/src/worker/gallery.ts';
import { histogram } from '../../renderer/src/worker/inspect.ts';
import { transferables } from '../../renderer/src/worker/protocol.ts';

const step = (epoch: number, epochStep: number, loss: number): StepMetrics => ({
  epoch,
  epochStep,
  stepsPerEpoch: 10,
  step: (epoch - 1) * 10 + epochStep,
  totalSteps: 30,
  loss,
  accuracy: 1 - loss / 3,
  lr: 0.001,
  imagesPerSecond: 100,
  gradNorm: null,
});

const epoch = (n: number, validationAccuracy: number | null): EpochMetrics => ({
  epoch: n,
  step: n * 10,
  lr: 0.001,
  trainLoss: 1 / n,
  trainAccuracy: 0.5,
  validationLoss: validationAccuracy === null ? null : 1 / n,
  validationAccuracy,
  validationSamples: 100,
  confusion: null,
  seconds: 3,
  imagesPerSecond: 100,
});

describe('does the data fit the network', () => {
  const project = lenetProject();
  const analysis = analyze(project.graph);
  const fitting = (shape: [number, number, number], classes = 10) =>
    dataFit(
      { shape, originalShape: shape, classes: Array.from({ length: classes }, String) },
      project.graph,
      analysis,
    );

  it('says nothing when the digits meet LeNet-5', () => {
    expect(fitting([1, 28, 28])).toEqual([]);
  });

  it('explains colour and size, offering to fit the data or change the Input', () => {
    const [issue] = fitting([3, 32, 32]);
    expect(issue?.message).toBe(
      'The images are colour (3 channels) where the Input takes grey, and 32 x 32 pixels where the Input takes 28 x 28.',
    );
    expect(issue?.fixes).toEqual([
      { kind: 'fitData', label: 'Convert to grey and resize to 28 x 28', shape: [1, 28, 28] },
      { kind: 'setInput', label: 'Change the Input to 3 x 32 x 32', node: 'input', shape: [3, 32, 32] },
    ]);
  });

  it('offers more Output classes when the data has more', () => {
    const issues = fitting([1, 28, 28], 100);
    expect(issues.map((i) => i.fixes[0]?.label)).toEqual(['Set the Output to 100 classes']);
  });

  it('changes the Input through dispatch, so the fix can be undone', () => {
    const store = createEditorStore(project);
    const fix = fitting([3, 32, 32])[0]!.fixes[1]!;
    if (fix.kind !== 'setInput') throw new Error('expected the Input fix');
    store.getState().dispatch([{ type: 'setParams', id: fix.node, params: { shape: fix.shape } }], fix.label);
    expect(store.getState().graph.nodes.find((n) => n.id === 'input')?.params.shape).toEqual([3, 32, 32]);
    store.getState().undo();
    expect(store.getState().graph.nodes.find((n) => n.id === 'input')?.params.shape).toEqual([1, 28, 28]);
  });
});

describe('charts and progress', () => {
  it('averages steps into buckets on an x axis in epochs, and puts epochs at whole numbers', () => {
    const steps = Array.from({ length: 30 }, (_, i) =>
      step(Math.floor(i / 10) + 1, (i % 10) + 1, 3 - i / 10),
    );
    const data = chartData(steps, [epoch(1, 0.8), epoch(2, null)]);
    expect(data.trainLossSteps.length).toBeLessThan(30);
    expect(data.trainLossSteps.at(-1)?.[0]).toBe(3);
    expect(data.trainLossSteps[0]![1]).toBeGreaterThan(data.trainLossSteps.at(-1)![1]);
    expect(data.validationAccuracy).toEqual([[1, 0.8]]);
    expect(data.trainLoss).toEqual([
      [1, 1],
      [2, 0.5],
    ]);
    expect(bucketed(steps, (s) => s.loss, 3)).toHaveLength(3);
  });

  it('tells where a run stands, with an ETA from the recent pace', () => {
    const steps = Array.from({ length: 5 }, (_, i) => step(1, i + 1, 1));
    expect(progressOf(steps, 3, 50)).toMatchObject({ epoch: 1, epochs: 3, epochStep: 5, step: 5, eta: 12.5 });
    expect(progressOf([], 3, 50)).toBeNull();
  });

  it('picks round ticks', () => {
    expect(ticks(0, 1)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(ticks(0, 2.3)).toEqual([0, 1, 2]);
    expect(ticks(0, 0.001)).toEqual([0, 0.00025, 0.0005, 0.00075, 0.001]);
  });
});

describe('worker events in the session store', () => {
  it('appends steps, records epochs, follows phases and ignores phases after the run ended', () => {
    const store = createSessionStore();
    store.setState({ run: { ...IDLE_RUN, status: 'starting' } });
    applyEvent(store, { type: 'train.phase', phase: 'training' });
    applyEvent(store, { type: 'train.steps', steps: [step(1, 1, 2)] });
    applyEvent(store, { type: 'train.steps', steps: [step(1, 2, 1.5), step(1, 3, 1.2)] });
    applyEvent(store, { type: 'train.epoch', metrics: epoch(1, 0.9) });
    expect(store.getState().run).toMatchObject({ status: 'training' });
    expect(store.getState().run.steps).toHaveLength(3);
    expect(store.getState().weights).toBe('trained');
    store.setState({ run: { ...store.getState().run, status: 'done' } });
    applyEvent(store, { type: 'train.phase', phase: 'paused' });
    expect(store.getState().run.status).toBe('done');
  });

  it('keeps the latest points of the activation trace of every node, for the sparklines', () => {
    const store = createSessionStore();
    store.setState({ run: { ...IDLE_RUN, status: 'training' } });
    for (let i = 0; i < TRACE_POINTS + 5; i++)
      applyEvent(store, {
        type: 'train.trace',
        step: i * 20,
        activations: i === TRACE_POINTS + 2 ? { conv1: i } : { conv1: i, fc1: 2 * i },
      });
    const trace = store.getState().run.trace!;
    expect(trace.steps).toHaveLength(TRACE_POINTS);
    expect(trace.steps.at(-1)).toBe((TRACE_POINTS + 4) * 20);
    expect(trace.activations.conv1).toHaveLength(TRACE_POINTS);
    expect(trace.activations.conv1!.at(-1)).toBe(TRACE_POINTS + 4);
    // fc1 missed a point: its series keeps what it had, not padded.
    expect(trace.activations.fc1).toHaveLength(TRACE_POINTS);
    expect(trace.activations.fc1!.includes(2 * (TRACE_POINTS + 2))).toBe(false);
    expect(trace.activations.fc1!.at(-1)).toBe(2 * (TRACE_POINTS + 4));
    // A new run starts without a trace.
    expect(IDLE_RUN.trace).toBeNull();
  });

  it('draws a sparkline scaled to its box, and a flat one in the middle', () => {
    expect(sparklinePoints([0, 1, 0.5], 10, 12)).toBe('0.0,11.0 5.0,1.0 10.0,6.0');
    expect(sparklinePoints([2, 2], 10, 12)).toBe('0.0,6.0 10.0,6.0');
  });
});

describe('small pieces', () => {
  const item = (relativePath: string): DataItem => ({
    relativePath,
    size: 1,
    read: async () => new ArrayBuffer(1),
  });

  it('makes dropped paths relative to the one folder dropped', () => {
    const folder = relativeToRoot([item('shapes/circle/0.png'), item('shapes/square/0.png')], '2 files');
    expect(folder.name).toBe('shapes');
    expect(folder.items.map((i) => i.relativePath)).toEqual(['circle/0.png', 'square/0.png']);
    expect(relativeToRoot([item('cifar.tar.gz')], '1 file').name).toBe('cifar.tar.gz');
    expect(relativeToRoot([item('a.npy'), item('b.npy')], '2 files').name).toBe('2 files');
  });

  it('orders the gallery: confident mistakes first, then correct samples', () => {
    const order = galleryOrder([
      { index: 1, label: 0, predicted: 0, confidence: 0.9 },
      { index: 2, label: 1, predicted: 2, confidence: 0.5 },
      { index: 3, label: 1, predicted: 3, confidence: 0.8 },
    ]);
    expect(order.map((p) => p.index)).toEqual([3, 2, 1]);
    const [best, confidence] = topClass([1, 3, 3, 0], 0, 4);
    expect(best).toBe(1);
    expect(confidence).toBeCloseTo(Math.exp(3) / (Math.exp(1) + 2 * Math.exp(3) + 1), 6);
  });

  it('bins a histogram and skips what is not finite', () => {
    const h = histogram([0, 1, 2, 3, Number.NaN]);
    expect(h).toMatchObject({ min: 0, max: 3 });
    expect(h?.counts.reduce((a, b) => a + b, 0)).toBe(4);
    expect(histogram([])).toBeNull();
  });

  it('moves only buffers a view owns whole', () => {
    const whole = new Float32Array(4);
    const part = new Uint8Array(new ArrayBuffer(16), 4, 4);
    expect(transferables({ a: whole, b: part, c: [whole] })).toEqual([whole.buffer]);
  });

  it('applies the classic kernels as F.conv2d with padding 1 does', () => {
    const plane = [0, 0, 0, 0, 1, 0, 0, 0, 0];
    expect(Array.from(convolve3x3(plane, 3, 3, [0, -1, 0, -1, 5, -1, 0, -1, 0]))).toEqual([
      0, -1, 0, -1, 5, -1, 0, -1, 0,
    ]);
  });

  it('shows the selected layer, else the first convolution', () => {
    const graph = lenetProject().graph;
    expect(pickNode(graph, [])).toBe('conv1');
    expect(pickNode(graph, ['fc2'])).toBe('fc2');
  });

  it('keeps training settings in the project, and the project counts as changed until saved', () => {
    const store = createEditorStore(lenetProject());
    const before = store.getState().meta.training;
    store.getState().setTraining({ ...before!, batch_size: 32 });
    expect(store.getState().toProject().training?.batch_size).toBe(32);
    expect(store.getState().dirty).toBe(true);
    store.getState().markSaved(null);
    expect(store.getState().dirty).toBe(false);
  });
});
