// A node's problem, shown beside the node at screen size (readable at any zoom), kept inside the canvas.

import { NodeToolbar, Position, useStore } from '@xyflow/react';
import type { Problem } from '../../../engine/graph/problem.ts';
import { ProblemCard } from './ProblemCard.tsx';

const CARD_WIDTH = 280;

interface Props {
  problem: Problem;
  visible: boolean;
  /** The node's left edge on the canvas (flow coordinates). */
  x: number;
  onEnter(): void;
  onLeave(): void;
}

export function ProblemToolbar({ problem, visible, x, onEnter, onLeave }: Props) {
  // Right-align the card when it would run past the canvas's right edge.
  const overflows = useStore((s) => x * s.transform[2] + s.transform[0] + CARD_WIDTH > s.width - 8);
  return (
    <NodeToolbar
      isVisible={visible}
      position={Position.Bottom}
      align={overflows ? 'end' : 'start'}
      offset={8}
    >
      {/* biome-ignore lint/a11y/noStaticElementInteractions: keeps the hover preview open while the pointer reaches Fix */}
      <div
        className="layer-node__problem"
        style={{ width: CARD_WIDTH }}
        onMouseEnter={onEnter}
        onMouseLeave={onLeave}
      >
        <ProblemCard problem={problem} compact />
      </div>
    </NodeToolbar>
  );
}
