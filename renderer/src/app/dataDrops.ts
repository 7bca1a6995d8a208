// Files dropped anywhere on the window: a data set is imported (Data tab), a project bundle reopens trained,
// a .pt or safetensors file loads into the graph (what fits, with the report), a project .json opens.

import { useEffect, useState } from 'react';
import { carriesFiles, type DataItems, droppedData } from '../platform/drops.ts';
import { importData } from '../session/data.ts';
import { isBundleName, loadWeightsBytes, openBundle } from '../session/exports.ts';
import { editorStore } from '../store/useEditor.ts';
import { openProjectText } from './projectFiles.ts';

const WEIGHTS = /\.(pt|pth|safetensors|ckpt)$/i;

/** Decides what a drop is and hands it on. */
export async function handleDrop(dropped: DataItems): Promise<void> {
  const store = editorStore().getState();
  const only = dropped.items.length === 1 ? dropped.items[0]! : null;
  const name = only?.relativePath ?? '';
  if (only && isBundleName(name)) return openBundle(new Uint8Array(await only.read()), name);
  if (only && WEIGHTS.test(name)) {
    await loadWeightsBytes(new Uint8Array(await only.read()), name, false);
    return;
  }
  if (only && /\.json$/i.test(name)) {
    openProjectText(new TextDecoder().decode(await only.read()), null);
    return;
  }
  store.setUi({ dockOpen: true, dockTab: 'data' });
  // A desktop drop of one file or folder is remembered in the project by its path.
  const first = dropped.items[0]?.path;
  const path =
    first && dropped.items.length > 1
      ? first.slice(0, first.length - dropped.items[0]!.relativePath.length - 1)
      : first;
  await importData(dropped, path);
}

/** Listens for file drops on the window; true while files are dragged over it. */
export function useDataDrops(): boolean {
  const [dragging, setDragging] = useState(false);
  useEffect(() => {
    let depth = 0;
    const enter = (e: DragEvent) => {
      if (!carriesFiles(e.dataTransfer)) return;
      depth++;
      setDragging(true);
    };
    const over = (e: DragEvent) => {
      if (!carriesFiles(e.dataTransfer)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const leave = (e: DragEvent) => {
      if (!carriesFiles(e.dataTransfer)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const drop = (e: DragEvent) => {
      if (!carriesFiles(e.dataTransfer) || !e.dataTransfer) return;
      e.preventDefault();
      depth = 0;
      setDragging(false);
      droppedData(e.dataTransfer)
        .then(handleDrop)
        .catch((error: unknown) =>
          editorStore()
            .getState()
            .notify(`The dropped files could not be read: ${(error as Error).message}`, 'error'),
        );
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, []);
  return dragging;
}
