// The toolbar: project name (with * when changed), file commands, undo/redo, layout and view, templates, help.

import { useState } from 'react';
import { nextTheme } from '../app/preferences.ts';
import { newBlankProject, openProjectFile, saveProjectFile } from '../app/projectFiles.ts';
import { FitIcon, HelpIcon, LayoutIcon, RedoIcon, ThemeIcon, UndoIcon } from '../canvas/icons.tsx';
import { runAutoLayout } from '../canvas/layoutCommand.ts';
import { useEditor } from '../store/useEditor.ts';
import { ExportMenu } from './ExportMenu.tsx';
import { RecentMenu } from './RecentMenu.tsx';
import { TrainButtons } from './TrainButtons.tsx';

export function Toolbar() {
  const name = useEditor((s) => s.meta.name);
  const dirty = useEditor((s) => s.dirty);
  const canUndo = useEditor((s) => s.past.length > 0);
  const canRedo = useEditor((s) => s.future.length > 0);
  const undoLabel = useEditor((s) => s.past.at(-1)?.label);
  const redoLabel = useEditor((s) => s.future.at(-1)?.label);
  const theme = useEditor((s) => s.ui.theme);
  const undo = useEditor((s) => s.undo);
  const redo = useEditor((s) => s.redo);
  const setUi = useEditor((s) => s.setUi);
  const requestView = useEditor((s) => s.requestView);

  return (
    <header className="toolbar" role="toolbar" aria-label="Project">
      <span className="toolbar__brand" aria-hidden="true">
        <svg viewBox="0 0 20 20" width="18" height="18">
          <title>NeuroCanvas</title>
          <circle cx="4" cy="10" r="2.5" fill="currentColor" />
          <circle cx="16" cy="4.5" r="2.5" fill="currentColor" />
          <circle cx="16" cy="15.5" r="2.5" fill="currentColor" />
          <path d="M6 9 14 5M6 11l8 4" stroke="currentColor" strokeWidth="1.5" />
        </svg>
      </span>
      <ProjectName name={name} dirty={dirty} />
      <div className="toolbar__group">
        <button
          type="button"
          className="button is-quiet"
          onClick={newBlankProject}
          title="New project (Alt+N)"
        >
          New
        </button>
        <button
          type="button"
          className="button is-quiet"
          onClick={() => void openProjectFile()}
          title="Open (Ctrl+O)"
        >
          Open
        </button>
        <RecentMenu />
        <button
          type="button"
          className="button is-quiet"
          onClick={() => void saveProjectFile()}
          title="Save (Ctrl+S)"
        >
          Save
        </button>
        <button
          type="button"
          className="button is-quiet"
          onClick={() => setUi({ overlay: 'templates' })}
          title="Templates (Alt+T)"
        >
          Templates
        </button>
      </div>
      <div className="toolbar__group">
        <button
          type="button"
          className="icon-button"
          onClick={undo}
          disabled={!canUndo}
          aria-label="Undo"
          title={`Undo ${undoLabel ?? ''} (Ctrl+Z)`}
        >
          <UndoIcon />
        </button>
        <button
          type="button"
          className="icon-button"
          onClick={redo}
          disabled={!canRedo}
          aria-label="Redo"
          title={`Redo ${redoLabel ?? ''} (Ctrl+Shift+Z)`}
        >
          <RedoIcon />
        </button>
      </div>
      <div className="toolbar__group">
        <button
          type="button"
          className="icon-button"
          onClick={() => void runAutoLayout()}
          aria-label="Auto-layout"
          title="Auto-layout (Shift+L)"
        >
          <LayoutIcon />
        </button>
        <button
          type="button"
          className="icon-button"
          onClick={() => requestView('fit')}
          aria-label="Fit view"
          title="Fit the view (Shift+1)"
        >
          <FitIcon />
        </button>
      </div>
      <div className="toolbar__group">
        <TrainButtons />
        <ExportMenu />
      </div>
      <div className="toolbar__spacer" />
      <button
        type="button"
        className="icon-button"
        onClick={() => setUi({ theme: nextTheme(theme) })}
        aria-label={`Theme: ${theme}`}
        title={`Theme: ${theme === 'system' ? 'follows the system' : theme} (click to change)`}
      >
        <ThemeIcon />
      </button>
      <button
        type="button"
        className="icon-button"
        onClick={() => setUi({ overlay: 'shortcuts' })}
        aria-label="Keyboard shortcuts"
        title="Keyboard shortcuts (?)"
      >
        <HelpIcon />
      </button>
    </header>
  );
}

function ProjectName({ name, dirty }: { name: string; dirty: boolean }) {
  const [editing, setEditing] = useState(false);
  const renameProject = useEditor((s) => s.renameProject);
  if (editing)
    return (
      <input
        className="text-input toolbar__name-input"
        defaultValue={name}
        aria-label="Project name"
        // biome-ignore lint/a11y/noAutofocus: the field appears because the user asked to rename
        autoFocus
        onBlur={(e) => {
          renameProject(e.target.value);
          setEditing(false);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') (e.target as HTMLInputElement).blur();
          if (e.key === 'Escape') setEditing(false);
        }}
      />
    );
  return (
    <button
      type="button"
      className="toolbar__name"
      onClick={() => setEditing(true)}
      title="Rename the project"
      data-testid="project-name"
    >
      {name}
      {dirty && (
        <span className="toolbar__dirty" title="Unsaved changes">
          *
        </span>
      )}
    </button>
  );
}
