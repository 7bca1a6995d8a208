// The Feature maps tab: for the selected node (click one on the canvas) and a chosen sample, the node's output
// as channel images, a conv layer's kernels, per-layer histograms and BatchNorm statistics, kept up to date
// while training; and the classic kernels demo on the same sample.

import { useEffect, useState } from 'react';
import { engine } from '../../session/engine.ts';
import { inspectNode, pickNode, setSample, stopWatching } from '../../session/inspect.ts';
import { useSession } from '../../session/store.ts';
import { useEditor } from '../../store/useEditor.ts';
import type { ImageBlock } from '../../worker/protocol.ts';
import { ChannelGrid } from './ChannelGrid.tsx';
import { KernelsDemo } from './KernelsDemo.tsx';
import { KernelTiles } from './KernelTiles.tsx';
import { LayerStatsTable } from './LayerStatsTable.tsx';

export function FeatureMapsPanel() {
  const graph = useEditor((s) => s.graph);
  const selection = useEditor((s) => s.selection);
  const data = useSession((s) => s.data);
  const sample = useSession((s) => s.inspectSample);
  const inspection = useSession((s) => s.inspection);
  const error = useSession((s) => s.inspectError);
  const tick = useSession((s) => s.weightsTick);
  const node = pickNode(graph, selection);
  const [picture, setPicture] = useState<ImageBlock | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: tick asks again after weights were loaded from a file
  useEffect(() => {
    if (node && data) void inspectNode(graph, node, sample);
  }, [graph, node, sample, data, tick]);
  useEffect(() => stopWatching, []);
  useEffect(() => {
    if (!data) return;
    let live = true;
    engine()
      .call('data.samples', { indices: [sample] })
      .then((block) => live && setPicture(block))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [data, sample]);

  if (!data)
    return <p className="panel__empty">Load data in the Data tab to see what the network does with it.</p>;
  if (!node)
    return <p className="panel__empty">Add layers to the network, then click one to see its feature maps.</p>;
  const kind = graph.nodes.find((n) => n.id === node)?.kind ?? '';
  const shown = inspection?.node === node ? inspection : null;
  const name = (i: number) => data.classes[i] ?? String(i);

  return (
    <div className="features-tab" data-testid="features-tab" data-node={node}>
      <section className="dock-section features-tab__main">
        <div className="features-tab__head">
          <h3 className="dock-section__title">
            {node} <span className="muted">{kind}</span>
            {shown?.output && <span className="muted"> · {shown.output.shape.join(' x ')}</span>}
          </h3>
          <fieldset className="sample-picker" aria-label="Sample">
            <button
              type="button"
              className="button is-small"
              onClick={() => setSample(sample - 1)}
              aria-label="Previous sample"
            >
              ‹
            </button>
            <span className="sample-picker__text" data-testid="inspect-sample">
              sample #{sample}
              {shown &&
                ` · class ${name(shown.label)} · predicted ${name(shown.predicted)} (${(shown.confidence * 100).toFixed(0)}%)`}
            </span>
            <button
              type="button"
              className="button is-small"
              onClick={() => setSample(sample + 1)}
              aria-label="Next sample"
            >
              ›
            </button>
            <button
              type="button"
              className="button is-small"
              onClick={() => setSample(Math.random() * data.count)}
            >
              Random
            </button>
          </fieldset>
          {shown && (
            <span className="muted" data-testid="inspect-weights">
              {shown.weights === 'initial'
                ? 'untrained weights (seeded init)'
                : shown.weights === 'loaded'
                  ? 'weights loaded from a file'
                  : `weights after step ${shown.step}`}{' '}
              · eval mode
            </span>
          )}
        </div>
        {error && (
          <p className="callout is-error" role="alert">
            {error}
          </p>
        )}
        {shown?.output ? <ChannelGrid output={shown.output} /> : !error && <p className="muted">Working…</p>}
        {shown?.kernels && (
          <>
            <h4 className="dock-section__subtitle">Kernels</h4>
            <KernelTiles kernels={shown.kernels} />
          </>
        )}
        {picture && (
          <>
            <h4 className="dock-section__subtitle">Classic kernels on this sample</h4>
            <KernelsDemo sample={picture} />
          </>
        )}
      </section>
      <section className="dock-section features-tab__stats">
        <h3 className="dock-section__title">Layers</h3>
        {shown ? (
          <LayerStatsTable layers={shown.layers} selected={node} />
        ) : (
          <p className="muted">Working…</p>
        )}
      </section>
    </div>
  );
}
