// Pausing and stopping a training run from outside (the app's training panel, Ctrl+C in the CLI): the loop asks
// before every step; a stop ends the run after the step in progress, with a checkpoint to resume from.

export class TrainingControl {
  private stopRequested = false;
  private gate: { promise: Promise<void>; open: () => void } | null = null;

  /** A control that stops when `signal` aborts. */
  static fromSignal(signal: AbortSignal): TrainingControl {
    const control = new TrainingControl();
    if (signal.aborted) control.stop();
    else signal.addEventListener('abort', () => control.stop(), { once: true });
    return control;
  }

  get stopped(): boolean {
    return this.stopRequested;
  }

  get paused(): boolean {
    return this.gate !== null;
  }

  /** Ends the run before its next step (a paused run stops at once). */
  stop(): void {
    this.stopRequested = true;
    this.resume();
  }

  /** Holds the run before its next step until `resume` or `stop`. */
  pause(): void {
    if (this.gate || this.stopRequested) return;
    let open = () => {};
    const promise = new Promise<void>((resolve) => {
      open = resolve;
    });
    this.gate = { promise, open };
  }

  resume(): void {
    const gate = this.gate;
    this.gate = null;
    gate?.open();
  }

  /** Waits while paused; true when the run should stop now. */
  async shouldStop(): Promise<boolean> {
    while (this.gate) await this.gate.promise;
    return this.stopRequested;
  }
}
