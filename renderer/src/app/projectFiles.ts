// New, open, save and template commands: project files through the platform, errors in the user's words.

import { GraphBuilder } from '../../../engine/graph/builder.ts';
import {
  newProject,
  ProjectError,
  parseProject,
  serializeProject,
} from '../../../engine/io/project/project.ts';
import { runAutoLayout } from '../canvas/layoutCommand.ts';
import { platform } from '../platform/index.ts';
import type { FileRef } from '../platform/types.ts';
import { forOverview, loadTemplate, type TemplateEntry } from '../project/templates.ts';
import { reopenProjectData } from '../session/data.ts';
import { editorStore } from '../store/useEditor.ts';
import { replaceProject } from './previous.ts';

const store = () => editorStore().getState();

/** `LeNet-5` -> `lenet-5.json` */
export function suggestedFileName(name: string): string {
  const slug = name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${slug || 'untitled'}.json`;
}

function explain(action: string, error: unknown): string {
  if (error instanceof ProjectError) return `${action}: ${error.message}`;
  return `${action}: ${(error as Error).message || String(error)}`;
}

/** A fresh project holding one Input for 28 x 28 grey images. */
export function newBlankProject(): void {
  const b = new GraphBuilder();
  b.layer('Input', { shape: [1, 28, 28] }, [], 'input');
  replaceProject(newProject('Untitled', b.graph, { layout: { input: { x: 0, y: 0 } } }));
}

export function openProjectText(text: string, file: FileRef | null): boolean {
  try {
    const project = parseProject(text);
    replaceProject(project, { file });
    if (file && project.dataset?.source === 'path') void reopenProjectData(file, project.dataset.path);
    return true;
  } catch (error) {
    store().notify(explain(`${file?.name ?? 'The file'} could not be opened`, error), 'error');
    return false;
  }
}

export async function openProjectFile(): Promise<void> {
  try {
    const opened = await platform().openProject();
    if (opened && openProjectText(opened.text, opened.ref)) await platform().addRecent(opened.ref);
  } catch (error) {
    store().notify(explain('The project could not be opened', error), 'error');
  }
}

export async function openRecentFile(ref: FileRef): Promise<void> {
  const opened = await platform().openRecent(ref);
  if (!opened) store().notify(`${ref.name} could not be reopened. Use Open to find it.`, 'error');
  else if (openProjectText(opened.text, opened.ref)) await platform().addRecent(opened.ref);
}

export async function saveProjectFile(options: { saveAs?: boolean } = {}): Promise<boolean> {
  const s = store();
  const text = serializeProject(s.toProject());
  try {
    const ref = await platform().saveProject(
      text,
      suggestedFileName(s.meta.name),
      options.saveAs ? null : s.file,
    );
    if (!ref) return false;
    store().markSaved(ref);
    await platform().addRecent(ref);
    store().notify(`Saved ${ref.name}.`);
    return true;
  } catch (error) {
    store().notify(explain('The project was not saved', error), 'error');
    return false;
  }
}

export async function openTemplate(entry: TemplateEntry): Promise<void> {
  try {
    const project = forOverview(await loadTemplate(entry));
    store().setUi({ overlay: null });
    replaceProject(project);
    await runAutoLayout({ quiet: true });
  } catch (error) {
    store().notify(explain(`The template ${entry.title} could not be opened`, error), 'error');
  }
}
