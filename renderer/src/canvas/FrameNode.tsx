// The frame drawn around an expanded module: its name, block kind and parameter count; drag it by the title.

import type { NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { formatCount, formatShort } from '../../../engine/graph/cost.ts';
import type { FrameFlowNode } from './flowModel.ts';
import { ChevronIcon } from './icons.tsx';
import { toggleModules } from './layoutCommand.ts';
import { ProblemIcon } from './ProblemCard.tsx';

function FrameNodeView({ data, selected }: NodeProps<FrameFlowNode>) {
  const { group, params, errors, depth } = data;
  return (
    <div
      className={`module-frame depth-${Math.min(depth, 3)}${selected ? ' is-selected' : ''}${errors ? ' has-error' : ''}`}
      data-testid={`frame-${group.id}`}
    >
      <div className="module-frame__title">
        <button
          type="button"
          className="icon-button is-small nodrag"
          aria-label={`Collapse ${group.name}`}
          title="Collapse (Ctrl+E)"
          onClick={(event) => {
            event.stopPropagation();
            void toggleModules([group.id]);
          }}
        >
          <ChevronIcon open />
        </button>
        <span className="module-frame__name">{group.name}</span>
        {group.block && <span className="module-frame__kind">{group.block.kind}</span>}
        <span className="module-frame__count" title={`${formatCount(params)} parameters`}>
          {formatShort(params)} params
        </span>
        {errors > 0 && <ProblemIcon severity="error" />}
      </div>
    </div>
  );
}

export const FrameNode = memo(FrameNodeView);
