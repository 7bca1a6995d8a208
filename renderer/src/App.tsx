// The editor's frame: toolbar, palette, canvas, inspector with module tree, bottom dock, status bar, overlays.

import { ReactFlowProvider } from '@xyflow/react';
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
import { useEditor } from './store/useEditor.ts';

export function App() {
  const theme = useResolvedTheme();
  const paletteOpen = useEditor((s) => s.ui.paletteOpen);
  const inspectorOpen = useEditor((s) => s.ui.inspectorOpen);
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
      </div>
    </ReactFlowProvider>
  );
}
