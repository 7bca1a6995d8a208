// The project that was replaced while it had unsaved changes, so it can be brought back instead of asking first.

import type { Project } from '../../../engine/io/project/project.ts';
import type { FileRef } from '../platform/types.ts';
import { editorStore } from '../store/useEditor.ts';

/**
 * Loads `next` in place of the current project. When the current one has unsaved changes, a notice offers to
 * bring it back (nothing asks "are you sure").
 */
export function replaceProject(next: Project, options: { file?: FileRef | null; dirty?: boolean } = {}) {
  const store = editorStore();
  const before = store.getState();
  const previous = before.dirty ? { project: before.toProject(), file: before.file } : null;
  store.getState().loadProject(next, options);
  if (previous)
    store.getState().notify(`${previous.project.name} had unsaved changes.`, 'info', {
      action: {
        label: `Bring back ${previous.project.name}`,
        run: () => replaceProject(previous.project, { file: previous.file, dirty: true }),
      },
    });
}
