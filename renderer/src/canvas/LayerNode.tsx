// A layer on the canvas: kind with its category colour, name, key parameters, output shape and parameter count,
// and while it trains a sparkline of its activations.

import { Handle, type NodeProps, Position } from '@xyflow/react';
import { memo, useRef, useState } from 'react';
import { formatCount, formatShort } from '../../../engine/graph/cost.ts';
import { layerDef } from '../../../engine/layers/registry.ts';
import { shapeText } from '../../../engine/layers/shapes.ts';
import { describeNode } from './facts.ts';
import type { LayerFlowNode } from './flowModel.ts';
import { NodeSparkline } from './NodeSparkline.tsx';
import { ProblemIcon } from './ProblemCard.tsx';
import { ProblemToolbar } from './ProblemToolbar.tsx';

function LayerNodeView({ data, selected, positionAbsoluteX }: NodeProps<LayerFlowNode>) {
  const { node, info, problems, inputPorts, hasOutput } = data;
  const [hovered, setHovered] = useState(false);
  // Hiding waits a moment, so the pointer can travel from the node to the message's Fix button.
  const hideTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const enter = () => {
    clearTimeout(hideTimer.current);
    setHovered(true);
  };
  const leave = () => {
    clearTimeout(hideTimer.current);
    hideTimer.current = setTimeout(() => setHovered(false), 250);
  };
  const def = layerDef(node.kind);
  const category = def?.category ?? 'unknown';
  const error = problems.find((p) => p.severity === 'error');
  const warning = error ? undefined : problems.find((p) => p.severity === 'warning');
  const shown = error ?? warning;
  const line = describeNode(node, info?.resolved);
  const params = info?.cost.params ?? 0;
  const output = info?.output ? shapeText(info.output) : '?';
  const classes = ['layer-node', `cat-${category}`];
  if (error) classes.push('has-error');
  else if (warning) classes.push('has-warning');
  if (selected) classes.push('is-selected');

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: hovering only previews the problem; selecting the node shows it too
    <div
      className={classes.join(' ')}
      data-testid={`node-${node.id}`}
      data-kind={node.kind}
      onMouseEnter={enter}
      onMouseLeave={leave}
    >
      {Array.from({ length: inputPorts }, (_, port) => (
        <Handle
          // biome-ignore lint/suspicious/noArrayIndexKey: ports are numbered positions
          key={port}
          type="target"
          id={`in-${port}`}
          position={Position.Left}
          className="port is-input"
          style={{ top: `${((port + 1) / (inputPorts + 1)) * 100}%` }}
          title={inputPorts > 1 ? `input ${port + 1}` : 'input'}
        />
      ))}
      <div className="layer-node__header">
        <span className="layer-node__kind">{node.kind}</span>
        {shown && <ProblemIcon severity={shown.severity} />}
      </div>
      <div className="layer-node__body">
        <div className="layer-node__name" title={node.name}>
          {node.name}
        </div>
        {line && (
          <div className="layer-node__params" title={line}>
            {line}
          </div>
        )}
      </div>
      <div className="layer-node__footer">
        <span className="layer-node__shape" data-testid="output-shape">
          {output}
        </span>
        <NodeSparkline node={node.id} />
        {params > 0 && (
          <span className="layer-node__count" title={`${formatCount(params)} parameters`}>
            {formatShort(params)}
          </span>
        )}
      </div>
      {hasOutput && <Handle type="source" id="out" position={Position.Right} className="port is-output" />}
      {shown && (
        <ProblemToolbar
          problem={shown}
          visible={hovered || (selected && error !== undefined)}
          x={positionAbsoluteX}
          onEnter={enter}
          onLeave={leave}
        />
      )}
    </div>
  );
}

export const LayerNode = memo(LayerNodeView);
