// A collapsed module: one node with the module's name, what flows in and out, and its parameter count.

import { Handle, type NodeProps, Position } from '@xyflow/react';
import { memo } from 'react';
import { formatCount, formatShort } from '../../../engine/graph/cost.ts';
import type { CollapsedFlowNode } from './flowModel.ts';
import { ChevronIcon } from './icons.tsx';
import { toggleModules } from './layoutCommand.ts';
import { ProblemIcon } from './ProblemCard.tsx';

function CollapsedNodeView({ data, selected }: NodeProps<CollapsedFlowNode>) {
  const { group, inputs, outputs, params, layers, errors } = data;
  const classes = ['layer-node', 'collapsed-node', 'cat-block'];
  if (errors) classes.push('has-error');
  if (selected) classes.push('is-selected');
  return (
    <div className={classes.join(' ')} data-testid={`collapsed-${group.id}`}>
      <Handle type="target" id="in-0" position={Position.Left} className="port is-input" />
      <div className="layer-node__header">
        <button
          type="button"
          className="icon-button is-small nodrag"
          aria-label={`Expand ${group.name}`}
          title="Expand (Ctrl+E)"
          onClick={(event) => {
            event.stopPropagation();
            void toggleModules([group.id]);
          }}
        >
          <ChevronIcon open={false} />
        </button>
        <span className="layer-node__kind">{group.block?.kind ?? 'Module'}</span>
        {errors > 0 && <ProblemIcon severity="error" />}
      </div>
      <div className="layer-node__body">
        <div className="layer-node__name">{group.name}</div>
        <div className="layer-node__params">
          {layers} layers{errors > 0 ? `, ${errors} problem${errors === 1 ? '' : 's'}` : ''}
        </div>
      </div>
      <div className="layer-node__footer collapsed-node__io">
        <span className="layer-node__shape" title="in">
          {inputs.join(', ') || '-'}
        </span>
        <span aria-hidden="true">→</span>
        <span className="layer-node__shape" data-testid="output-shape" title="out">
          {outputs.join(', ') || '-'}
        </span>
      </div>
      <div className="collapsed-node__count" title={`${formatCount(params)} parameters`}>
        {formatShort(params)} params
      </div>
      <Handle type="source" id="out" position={Position.Right} className="port is-output" />
    </div>
  );
}

export const CollapsedNode = memo(CollapsedNodeView);
