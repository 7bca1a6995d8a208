// Progress reports for long imports: fraction done (0-1) plus a message, throttled to about one per percent.

export type ProgressCallback = (fraction: number, message: string) => void;

export class ProgressTracker {
  private done = 0;
  private lastFraction = -1;
  private lastMessage = '';

  /** `total` is in whatever unit `advance` counts (bytes, files); 0 means unknown, reported as 0 until the end. */
  constructor(
    private readonly callback: ProgressCallback | undefined,
    private readonly total: number,
  ) {}

  advance(amount: number, message: string): void {
    this.done += amount;
    this.report(message);
  }

  report(message: string): void {
    if (!this.callback) return;
    const fraction = this.total > 0 ? Math.min(0.999, this.done / this.total) : 0;
    if (fraction - this.lastFraction < 0.01 && message === this.lastMessage) return;
    this.lastFraction = fraction;
    this.lastMessage = message;
    this.callback(fraction, message);
  }

  finish(message: string): void {
    this.callback?.(1, message);
  }
}
