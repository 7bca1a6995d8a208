// Access to the mounted canvas from commands outside React (keyboard shortcuts): client <-> canvas positions.

import type { ReactFlowInstance } from '@xyflow/react';
import { lastPointer } from '../app/pointer.ts';
import type { XY } from '../store/types.ts';

type FlowAccess = Pick<ReactFlowInstance, 'screenToFlowPosition'> &
  Partial<Pick<ReactFlowInstance, 'zoomIn' | 'zoomOut'>>;

let instance: FlowAccess | null = null;

export function registerFlow(flow: FlowAccess | null): void {
  instance = flow;
}

/** Zooms the canvas in or out one step (the View menu). */
export function zoomCanvas(direction: 'in' | 'out'): void {
  if (direction === 'in') void instance?.zoomIn?.({ duration: 150 });
  else void instance?.zoomOut?.({ duration: 150 });
}

/** The canvas position under the pointer, when the pointer is over the canvas. */
export function pointerOnCanvas(): XY | undefined {
  const p = lastPointer();
  const rect = document.querySelector('.react-flow')?.getBoundingClientRect();
  if (!p || !rect || !instance) return undefined;
  if (p.x < rect.left || p.x > rect.right || p.y < rect.top || p.y > rect.bottom) return undefined;
  return instance.screenToFlowPosition(p);
}
