// The last pointer position over the window, so keyboard quick-add opens where the user is looking.

import type { XY } from '../store/types.ts';

let last: XY | null = null;

export function trackPointer(): () => void {
  const move = (e: PointerEvent) => {
    last = { x: e.clientX, y: e.clientY };
  };
  window.addEventListener('pointermove', move, { passive: true });
  return () => window.removeEventListener('pointermove', move);
}

export function lastPointer(): XY | null {
  return last;
}
