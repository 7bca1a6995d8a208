// The one engine worker of the app: started on first use, its events folded into the session store.

import { EngineClient, type Port } from '../worker/client.ts';
import type { EngineEvent } from '../worker/protocol.ts';
import { type SessionStore, sessionStore, TRACE_POINTS } from './store.ts';

let client: EngineClient | undefined;

/** Folds one worker event into the session (steps appended, epochs and the gallery replaced). */
export function applyEvent(store: SessionStore, event: EngineEvent): void {
  const s = store.getState();
  switch (event.type) {
    case 'train.steps':
      store.setState({ run: { ...s.run, steps: [...s.run.steps, ...event.steps] } });
      break;
    case 'train.epoch':
      store.setState({ run: { ...s.run, epochs: [...s.run.epochs, event.metrics] }, weights: 'trained' });
      break;
    case 'train.phase':
      if (s.run.status !== 'idle' && s.run.status !== 'done' && s.run.status !== 'failed')
        store.setState({ run: { ...s.run, status: event.phase } });
      break;
    case 'train.trace': {
      const before = s.run.trace ?? { steps: [], activations: {} };
      const keep = (list: number[], value: number) => [...list, value].slice(-TRACE_POINTS);
      // A node missing from this point (not computed) keeps its series as it was.
      const activations: Record<string, number[]> = { ...before.activations };
      for (const [node, value] of Object.entries(event.activations))
        activations[node] = keep(before.activations[node] ?? [], value);
      store.setState({
        run: { ...s.run, trace: { steps: keep(before.steps, event.step), activations } },
      });
      break;
    }
    case 'train.resumed': {
      const { settings, ...from } = event.resumed;
      store.setState({
        run: {
          ...s.run,
          settings,
          epochs: from.history,
          resumedFrom: { ...from, name: s.run.resumedFrom?.name ?? 'checkpoint' },
        },
      });
      break;
    }
    case 'train.gallery':
      store.setState({ run: { ...s.run, gallery: event.gallery } });
      break;
    case 'inspect.update':
      if (s.inspection === null || s.inspection.node === event.inspection.node)
        store.setState({ inspection: event.inspection, inspectError: null });
      break;
  }
}

/** Connects a client to the session store (the app's worker, or a test's channel). */
export function connect(port: Port, store: SessionStore = sessionStore()): EngineClient {
  const c = new EngineClient(port);
  c.onEvent((event) => applyEvent(store, event));
  return c;
}

export function engine(): EngineClient {
  client ??= connect(
    new Worker(new URL('../worker/engine.worker.ts', import.meta.url), {
      type: 'module',
      name: 'neurocanvas-engine',
    }) as unknown as Port,
  );
  return client;
}

/** For tests: use this client instead of starting a worker. */
export function setEngineClient(c: EngineClient): void {
  client = c;
}
