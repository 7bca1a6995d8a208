// The app's one editor store and the React hook that reads it.

import { useStore } from 'zustand';
import { createEditorStore, type Editor, type EditorStore } from './editor.ts';

let store: EditorStore | undefined;

/** The store the app uses; created on first use (main.tsx loads the first project into it). */
export function editorStore(): EditorStore {
  store ??= createEditorStore();
  return store;
}

export function useEditor<T>(selector: (state: Editor) => T): T {
  return useStore(editorStore(), selector);
}
