// An edge labelled with the tensor shape it carries; red and dashed when the shape does not fit its target.

import { BaseEdge, EdgeLabelRenderer, type EdgeProps, getBezierPath } from '@xyflow/react';
import { memo } from 'react';
import type { ShapeFlowEdge } from './flowModel.ts';

function ShapeEdgeView(props: EdgeProps<ShapeFlowEdge>) {
  const {
    id,
    sourceX,
    sourceY,
    targetX,
    targetY,
    sourcePosition,
    targetPosition,
    data,
    selected,
    markerEnd,
  } = props;
  const [path, labelX, labelY] = getBezierPath({
    sourceX,
    sourceY,
    targetX,
    targetY,
    sourcePosition,
    targetPosition,
  });
  const problem = data?.problem;
  const label = data?.label ?? '';
  const classes = ['shape-edge'];
  if (problem) classes.push('is-bad');
  if (selected) classes.push('is-selected');
  return (
    <>
      <BaseEdge id={id} path={path} className={classes.join(' ')} {...(markerEnd ? { markerEnd } : {})} />
      {label && (
        <EdgeLabelRenderer>
          <div
            className={`edge-label${problem ? ' is-bad' : ''}${selected ? ' is-selected' : ''}`}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
            title={problem ? problem.message : `${label} (one sample; the batch dimension comes first)`}
            data-testid={`edge-label-${id}`}
          >
            {label}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

export const ShapeEdge = memo(ShapeEdgeView);
