// Delivers menu commands to the renderer, holding them while the page is (re)loading: a project opened from
// the OS at launch arrives before the renderer listens, and must not be lost.

import type { AppCommand } from './ipc/contract.ts';

export class CommandQueue {
  private ready = false;
  private readonly pending: AppCommand[] = [];

  constructor(private readonly deliver: (command: AppCommand) => void) {}

  send(command: AppCommand): void {
    if (this.ready) this.deliver(command);
    else this.pending.push(command);
  }

  /** The renderer subscribed (`onCommand`): send what was held, in order. */
  markReady(): void {
    this.ready = true;
    for (const command of this.pending.splice(0)) this.deliver(command);
  }

  /** The page is navigating or reloading: hold commands until it listens again. */
  reset(): void {
    this.ready = false;
  }

  get held(): number {
    return this.pending.length;
  }
}
