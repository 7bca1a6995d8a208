// Starts the renderer: restores the autosaved project (or opens LeNet-5), wires autosave and keys, renders.

import '@xyflow/react/dist/style.css';
import './styles/theme.css';
import './styles/app.css';
import './styles/canvas.css';
import './styles/nodes.css';
import './styles/panels.css';
import './styles/overlays.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { Project } from '../../engine/io/project/project.ts';
import { App } from './App.tsx';
import { readAutosave, startAutosave } from './app/autosave.ts';
import { trackPointer } from './app/pointer.ts';
import { keepPreferences, loadPreferences } from './app/preferences.ts';
import { replaceProject } from './app/previous.ts';
import { handleKey } from './app/shortcuts.ts';
import { warmUpLayout } from './canvas/autoLayout.ts';
import { runAutoLayout } from './canvas/layoutCommand.ts';
import { lenetProject } from './project/lenet.ts';
import { defaultTemplate, loadTemplate } from './project/templates.ts';
import { editorStore } from './store/useEditor.ts';

/** LeNet-5: the template file when it exists, else the same network built in code. */
async function defaultProject(): Promise<Project> {
  const entry = defaultTemplate();
  return entry ? await loadTemplate(entry).catch(() => lenetProject()) : lenetProject();
}

async function boot() {
  const store = editorStore();
  store.getState().setUi(loadPreferences());
  const recovered = await readAutosave();
  if (recovered) {
    store.getState().loadProject(recovered.project, { dirty: recovered.dirty });
    if (recovered.dirty)
      store
        .getState()
        .notify(`Restored ${recovered.project.name} with the changes you had not saved yet.`, 'info', {
          action: {
            label: 'Start from LeNet-5 instead',
            run: () =>
              void defaultProject().then((p) => {
                replaceProject(p);
                return runAutoLayout({ quiet: true });
              }),
          },
        });
  } else {
    store.getState().loadProject(await defaultProject());
    void runAutoLayout({ quiet: true });
  }

  startAutosave(store);
  keepPreferences(store);
  trackPointer();
  window.addEventListener('keydown', handleKey);
  // The first auto-layout pays for starting elkjs; do that now, while the user looks around.
  if (recovered) setTimeout(warmUpLayout, 1500);

  const root = document.getElementById('root');
  if (!root) throw new Error('index.html has no #root element');
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}

void boot();
