// The UI's side of the engine worker: numbered calls that resolve with their result, progress per call,
// cancellation through an AbortSignal, and the worker's own events to subscribers.

import {
  CANCELLED,
  type CallName,
  type Calls,
  type EngineEvent,
  type FromWorker,
  type ToWorker,
  transferables,
} from './protocol.ts';

/** What the client needs of a Worker (or of a MessagePort in tests). */
export interface Port {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  terminate?(): void;
}

export interface CallOptions {
  onProgress?: (fraction: number, message: string) => void;
  signal?: AbortSignal;
}

/** A call the worker refused or failed; `cancelled` when the caller aborted it. */
export class EngineError extends Error {
  override name = 'EngineError';
  constructor(
    message: string,
    readonly cancelled = false,
  ) {
    super(message);
  }
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: EngineError) => void;
  onProgress?: CallOptions['onProgress'];
}

export class EngineClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(event: EngineEvent) => void>();
  private readonly onMessage = (event: MessageEvent) => this.receive(event.data as FromWorker);

  constructor(private readonly port: Port) {
    port.addEventListener('message', this.onMessage);
    (port as { start?: () => void }).start?.();
  }

  call<K extends CallName>(
    name: K,
    args: Calls[K]['args'],
    options: CallOptions = {},
  ): Promise<Calls[K]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (options.signal?.aborted) {
        reject(new EngineError(CANCELLED, true));
        return;
      }
      this.pending.set(id, {
        resolve: resolve as (value: unknown) => void,
        reject,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
      options.signal?.addEventListener('abort', () => this.send({ kind: 'cancel', id }), { once: true });
      this.send({ kind: 'call', id, name, args } as ToWorker);
    });
  }

  /** Calls `listener` with every event the worker sends; returns the function that stops it. */
  onEvent(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Ends the worker; calls still waiting reject. */
  terminate(): void {
    this.port.removeEventListener('message', this.onMessage);
    this.port.terminate?.();
    for (const p of this.pending.values()) p.reject(new EngineError('the engine was shut down'));
    this.pending.clear();
  }

  private send(message: ToWorker): void {
    this.port.postMessage(message, message.kind === 'call' ? transferables(message.args) : []);
  }

  private receive(message: FromWorker): void {
    if (message.kind === 'event') {
      for (const listener of this.listeners) listener(message.event);
      return;
    }
    const pending = this.pending.get(message.id);
    if (!pending) return;
    if (message.kind === 'progress') {
      pending.onProgress?.(message.fraction, message.message);
      return;
    }
    this.pending.delete(message.id);
    if (message.kind === 'result') pending.resolve(message.value);
    else pending.reject(new EngineError(message.message, message.cancelled === true));
  }
}
