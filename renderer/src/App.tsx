// The editor's frame: toolbar, palette, canvas, inspector with module tree, bottom dock, status bar, overlays.

import { ReactFlowProvider } from '@xyflow/react';
import { useEffect } from 'react';
import { useDataDrops } from './app/dataDrops.ts';
import { wireMenuCommands } from './app/menuCommands.ts';
import { useResolvedTheme } from './app/preferences.ts';
import { Canvas } from './canvas/Canvas.tsx';
import { Dock } from './panels/Dock.tsx';
import { Inspector } from './panels/Inspector.tsx';
import { ModuleTree } from './panels/ModuleTree.tsx';
import { NoticeToast } from './panels/NoticeToast.tsx';
import { Palette } from './panels/Palette.tsx';
import { ShortcutsOverlay } from './panels/ShortcutsOverlay.tsx';
import { StatusBar } from './panels/StatusBar.tsx';
import { TemplatesGallery } from './panels/TemplatesGallery.tsx';
import { Toolbar } from './panels/Toolbar.tsx';
import { WeightsReport } from './panels/WeightsReport.tsx';
import { startEngine } from './session/data.ts';
import { resetOnProjectSwitch } from './session/projectSwitch.ts';
import { editorStore, useEditor } from './store/useEditor.ts';
import './styles/session.css';
import './styles/training.css';
import './styles/features.css';

let engineStarted = false;

export function App() {
  const theme = useResolvedTheme();
  const paletteOpen = useEditor((s) => s.ui.paletteOpen);
  const inspectorOpen = useEditor((s) => s.ui.inspectorOpen);
  const dragging = useDataDrops();
  useEffect(() => {
    // NOTE: once per page, though StrictMode runs effects twice: the worker and its data outlive the component.
    if (!engineStarted) {
      engineStarted = true;
      void startEngine();
    }
    const stopReset = resetOnProjectSwitch(editorStore());
    const stopMenu = wireMenuCommands();
    return () => {
      stopReset();
      stopMenu();
    };
  }, []);
  return (
    <ReactFlowProvider>
      <div className={`app${paletteOpen ? '' : ' no-palette'}${inspectorOpen ? '' : ' no-inspector'}`}>
        <Toolbar />
        {paletteOpen && <Palette />}
        <main className="app__canvas">
          <Canvas colorMode={theme} />
        </main>
        {inspectorOpen && (
          <div className="app__side">
            <Inspector />
            <ModuleTree />
          </div>
        )}
        <Dock />
        <StatusBar />
        <ShortcutsOverlay />
        <TemplatesGallery />
        <NoticeToast />
        <WeightsReport />
        {dragging && (
          <div className="drop-overlay" aria-hidden="true">
            <p>
              Drop to import: a data set (files, folder, archive), weights (.pt, safetensors) or a project
              bundle
            </p>
          </div>
        )}
      </div>
    </ReactFlowProvider>
  );
}
