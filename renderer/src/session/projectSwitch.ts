// When another project replaces the current one (open, new, template, bundle), the trained weights, metrics and
// feature maps of the old one no longer apply: the session starts afresh (a run in progress is left alone).

import type { EditorStore } from '../store/editor.ts';
import { engine } from './engine.ts';
import { IDLE_RUN, isRunning, type SessionStore, sessionStore } from './store.ts';

/** Starts watching; returns the function that stops. */
export function resetOnProjectSwitch(
  editor: EditorStore,
  session: SessionStore = sessionStore(),
): () => void {
  return editor.subscribe((s, before) => {
    // loadProject is the one change that brings a new graph with an empty history.
    const replaced = s.graph !== before.graph && s.past.length === 0 && s.future.length === 0;
    if (!replaced || isRunning(session.getState().run.status)) return;
    session.setState({
      run: IDLE_RUN,
      weights: 'initial',
      inspection: null,
      inspectError: null,
      continueWeights: false,
    });
    void engine()
      .call('weights.reset', {})
      .catch(() => undefined);
  });
}
