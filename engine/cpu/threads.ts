// Helper threads for the CPU backend's large matrix products: each helper instantiates the same WebAssembly
// kernel on the same shared memory and, when woken, runs `gemm` on its own range of B's column panels; the
// calling thread takes the first range and waits for the rest. Every C block is computed by one thread in the
// same order, so results are the same bit for bit with any number of threads.
// Workers come from a Spawner: engine/cpu/node-threads.ts in Node (CLI), webSpawner in a browser worker.
//
// NOTE: the calling thread blocks in Atomics.wait, which a browser allows in workers only (the app's engine runs
// in one); shared memory needs a cross-origin isolated page (the desktop app's protocol sends COOP and COEP).

/** Starts one helper: `source` is a function expression taking (data, ready); it calls ready() once waiting. */
export type Spawner = (source: string, data: HelperData) => { ready: Promise<unknown>; stop(): void };

export interface HelperData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  index: number;
}

/** control (Int32Array): [0] generation, [1] helpers still working, [2] stop; then 8 per helper: its job. */
/** How long a product waits for its helpers before it takes their work back (a helper that died or hangs). */
const HELPER_TIMEOUT_MS = 20_000;
const HEAD = 4;
const JOB = 8;

/**
 * A helper's body, as source text (a bundler must not rename or wrap it): wait for a new generation, run the
 * job's gemm(mp, j0, j1, T, A, B, C, ldc) if its range is not empty, count itself done.
 */
export const HELPER_SOURCE = `function (data, ready) {
  const gemm = new WebAssembly.Instance(data.module, { env: { memory: data.memory } }).exports.gemm;
  const control = new Int32Array(data.control);
  const job = ${HEAD} + ${JOB} * data.index;
  let seen = Atomics.load(control, 0);
  ready();
  for (;;) {
    Atomics.wait(control, 0, seen);
    seen = Atomics.load(control, 0);
    if (Atomics.load(control, 2) !== 0) return;
    if (control[job + 2] > control[job + 1])
      gemm(control[job], control[job + 1], control[job + 2], control[job + 3], control[job + 4],
        control[job + 5], control[job + 6], control[job + 7]);
    if (Atomics.sub(control, 1, 1) === 1) Atomics.notify(control, 1);
  }
}`;

type Gemm = (
  mp: number,
  j0: number,
  np: number,
  T: number,
  A: number,
  B: number,
  C: number,
  ldc: number,
) => void;

export class GemmThreads {
  private readonly control: Int32Array;
  /** Products run split so far (for tests and benches). */
  splitRuns = 0;
  /** How long a product waits for its helpers before it gives up on them. */
  timeoutMs = HELPER_TIMEOUT_MS;

  private constructor(
    control: SharedArrayBuffer,
    readonly helpers: number,
    private readonly stops: (() => void)[],
  ) {
    this.control = new Int32Array(control);
  }

  /** Stops one helper (as if it died), for tests of what a product does then. */
  kill(index: number): void {
    this.stops[index]?.();
  }

  /** Starts `helpers` helpers on the kernel `module` over the shared `memory`; resolves when all wait. */
  static async start(
    spawn: Spawner,
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    helpers: number,
  ): Promise<GemmThreads> {
    const control = new SharedArrayBuffer(4 * (HEAD + JOB * helpers));
    const started = Array.from({ length: helpers }, (_, index) =>
      spawn(HELPER_SOURCE, { module, memory, control, index }),
    );
    const threads = new GemmThreads(
      control,
      helpers,
      started.map((s) => s.stop),
    );
    try {
      await Promise.all(started.map((s) => s.ready));
    } catch (error) {
      threads.stop();
      throw error;
    }
    return threads;
  }

  /**
   * gemm over column panels 0 <= j < np, split in contiguous ranges: this thread the first, helpers the rest.
   * Throws when a helper has not finished within HELPER_TIMEOUT_MS (it died or hangs): an error the training
   * loop reports, rather than waiting forever.
   */
  run(gemm: Gemm, mp: number, np: number, T: number, A: number, B: number, C: number, ldc: number): void {
    const parts = this.helpers + 1;
    const bound = (part: number) => Math.round((np * part) / parts);
    const c = this.control;
    for (let h = 0; h < this.helpers; h++) {
      const job = HEAD + JOB * h;
      c[job] = mp;
      c[job + 1] = bound(h + 1);
      c[job + 2] = bound(h + 2);
      c.set([T, A, B, C, ldc], job + 3);
    }
    Atomics.store(c, 1, this.helpers);
    Atomics.add(c, 0, 1);
    Atomics.notify(c, 0);
    if (bound(1) > 0) gemm(mp, 0, bound(1), T, A, B, C, ldc);
    for (let left = Atomics.load(c, 1); left !== 0; left = Atomics.load(c, 1))
      if (Atomics.wait(c, 1, left, this.timeoutMs) === 'timed-out')
        throw new Error(
          `A CPU helper thread stopped answering (${left} of ${this.helpers} did not finish a product in ` +
            `${this.timeoutMs / 1000} s); the CPU backend goes on with one thread.`,
        );
    this.splitRuns++;
  }

  stop(): void {
    Atomics.store(this.control, 2, 1);
    Atomics.add(this.control, 0, 1);
    Atomics.notify(this.control, 0);
    for (const stop of this.stops) stop();
  }
}

/** True where shared memory and a blocking wait are allowed: Node, or a cross-origin isolated browser worker. */
export function canShareMemory(): boolean {
  if (typeof SharedArrayBuffer === 'undefined' || typeof Atomics === 'undefined') return false;
  const g = globalThis as {
    crossOriginIsolated?: boolean;
    document?: unknown;
    process?: { versions?: object };
  };
  if (g.process?.versions && 'node' in g.process.versions) return true;
  return g.crossOriginIsolated === true && g.document === undefined;
}

/** Helpers as browser workers from a blob: URL (the app's Content-Security-Policy allows blob: workers). */
export const webSpawner: Spawner = (source, data) => {
  const body = `self.onmessage = (event) => (${source})(event.data, () => self.postMessage('ready'));`;
  const url = URL.createObjectURL(new Blob([body], { type: 'text/javascript' }));
  const worker = new Worker(url, { name: `neurocanvas-gemm-${data.index}` });
  const ready = new Promise((resolve, reject) => {
    worker.onmessage = resolve;
    worker.onerror = (event) => reject(new Error(event.message || 'a CPU helper thread failed to start'));
  }).finally(() => URL.revokeObjectURL(url));
  worker.postMessage(data);
  return { ready, stop: () => worker.terminate() };
};
