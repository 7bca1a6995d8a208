// The worker's side of the protocol: routes each call to its handler with progress, cancellation and events,
// and turns failures into one readable message (never a stack trace).

import { dataHandlers } from './data.ts';
import { exportHandlers } from './exporting.ts';
import { inspectHandlers } from './inspect.ts';
import {
  CANCELLED,
  type CallName,
  type Calls,
  type EngineEvent,
  type FromWorker,
  type ToWorker,
  transferables,
} from './protocol.ts';
import { type EngineEnvironment, EngineSession } from './session.ts';
import { trainingHandlers } from './training.ts';

/** What a handler gets besides its arguments. */
export interface CallContext {
  session: EngineSession;
  signal: AbortSignal;
  progress(fraction: number, message: string): void;
  emit(event: EngineEvent): void;
  /** Throws the cancellation error when the caller gave up. */
  checkCancelled(): void;
}

export type Handler<K extends CallName> = (
  args: Calls[K]['args'],
  context: CallContext,
) => Promise<Calls[K]['result']>;

export type Handlers = { [K in CallName]: Handler<K> };

/** The worker global or a MessagePort: where messages come from and go to. */
export interface HostPort {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

class Cancelled extends Error {
  constructor() {
    super(CANCELLED);
  }
}

/** Starts answering calls on `port`; returns the session (tests look inside). */
export function serveEngine(port: HostPort, environment: EngineEnvironment): EngineSession {
  const session = new EngineSession(environment);
  const handlers: Handlers = {
    ...dataHandlers,
    ...trainingHandlers,
    ...inspectHandlers,
    ...exportHandlers,
    'engine.open': ({ prefer }, { session: s }) => s.open(prefer),
  };
  const running = new Map<number, AbortController>();
  const post = (message: FromWorker) =>
    port.postMessage(message, message.kind === 'result' ? transferables(message.value) : []);
  const emit = (event: EngineEvent) => port.postMessage({ kind: 'event', event }, transferables(event));

  port.addEventListener('message', (event) => {
    const message = event.data as ToWorker;
    if (message.kind === 'cancel') {
      running.get(message.id)?.abort();
      return;
    }
    const { id, name, args } = message;
    const abort = new AbortController();
    running.set(id, abort);
    const context: CallContext = {
      session,
      signal: abort.signal,
      progress: (fraction, text) => post({ kind: 'progress', id, fraction, message: text }),
      emit,
      checkCancelled: () => {
        if (abort.signal.aborted) throw new Cancelled();
      },
    };
    const handler = handlers[name] as Handler<CallName>;
    Promise.resolve()
      .then(() => handler(args, context))
      .then(
        (value) => post({ kind: 'result', id, value }),
        (error: unknown) => {
          const cancelled = error instanceof Cancelled || abort.signal.aborted;
          post({ kind: 'error', id, message: cancelled ? CANCELLED : explain(error), cancelled });
        },
      )
      .finally(() => running.delete(id));
  });
  (port as { start?: () => void }).start?.();
  return session;
}

/** An error as the user reads it: the message, without the class name or stack. */
export function explain(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
