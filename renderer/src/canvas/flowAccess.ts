// Access to the mounted canvas from commands outside React (keyboard shortcuts): client <-> canvas positions.

import type { ReactFlowInstance } from '@xyflow/react';
import { lastPointer } from '../app/pointer.ts';
import type { XY } from '../store/types.ts';

let instance: Pick<ReactFlowInstance, 'screenToFlowPosition'> | null = null;

export function registerFlow(flow: Pick<ReactFlowInstance, 'screenToFlowPosition'> | null): void {
  instance = flow;
}

/** The canvas position under the pointer, when the pointer is over the canvas. */
export function pointerOnCanvas(): XY | undefined {
  const p = lastPointer();
  const rect = document.querySelector('.react-flow')?.getBoundingClientRect();
  if (!p || !rect || !instance) return undefined;
  if (p.x < rect.left || p.x > rect.right || p.y < rect.top || p.y > rect.bottom) return undefined;
  return instance.screenToFlowPosition(p);
}
