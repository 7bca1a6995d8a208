// The template gallery: templates/index.json lists them, templates/*.json hold them; both load when present.

import { type Project, parseProject } from '../../../engine/io/project/project.ts';

export interface TemplateEntry {
  id: string;
  /** File name inside templates/, e.g. `lenet5.json`. */
  file: string;
  title: string;
  description: string;
  /** Parameter count (or a short text) shown on the card. */
  params?: number | string;
}

// NOTE: globs are resolved at build time; a template added later appears after the next build.
const files = import.meta.glob<string>(['../../../templates/*.json', '!../../../templates/index.json'], {
  query: '?raw',
  import: 'default',
});
const indexes = import.meta.glob<unknown>('../../../templates/index.json', {
  eager: true,
  import: 'default',
});

const fileName = (path: string) => path.slice(path.lastIndexOf('/') + 1);
const loaders = new Map(Object.entries(files).map(([path, load]) => [fileName(path), load]));

function entriesFromIndex(raw: unknown): TemplateEntry[] {
  const list = Array.isArray(raw) ? raw : (raw as { templates?: unknown } | undefined)?.templates;
  if (!Array.isArray(list)) return [];
  return list.flatMap((item): TemplateEntry[] => {
    const t = item as Partial<Record<keyof TemplateEntry, unknown>>;
    if (typeof t.file !== 'string') return [];
    const file = fileName(t.file);
    return [
      {
        id: typeof t.id === 'string' ? t.id : file.replace(/\.json$/, ''),
        file,
        title: typeof t.title === 'string' ? t.title : file,
        description: typeof t.description === 'string' ? t.description : '',
        ...(typeof t.params === 'number' || typeof t.params === 'string' ? { params: t.params } : {}),
      },
    ];
  });
}

/** Every template that has a file, in the index's order (files the index does not list come last). */
export function templateList(): TemplateEntry[] {
  const listed = entriesFromIndex(Object.values(indexes)[0]).filter((t) => loaders.has(t.file));
  const known = new Set(listed.map((t) => t.file));
  for (const file of loaders.keys())
    if (!known.has(file))
      listed.push({
        id: file.replace(/\.json$/, ''),
        file,
        title: file.replace(/\.json$/, ''),
        description: '',
      });
  return listed;
}

export async function loadTemplate(entry: TemplateEntry): Promise<Project> {
  const load = loaders.get(entry.file);
  if (!load) throw new Error(`The template ${entry.title} is missing (templates/${entry.file}).`);
  return parseProject(await load());
}

/** The template that is the default project (LeNet-5), when it exists. */
export function defaultTemplate(): TemplateEntry | undefined {
  return templateList().find((t) => /lenet/i.test(t.id) || /lenet/i.test(t.file));
}

/** Layers beyond which a template opens with its blocks collapsed, so the whole network reads at a glance. */
const OVERVIEW_LIMIT = 40;

/** A large template with its block-preset modules collapsed (the outermost ones); small ones unchanged. */
export function forOverview(project: Project): Project {
  const { graph } = project;
  if (graph.nodes.length <= OVERVIEW_LIMIT) return project;
  const byId = new Map(graph.groups.map((g) => [g.id, g]));
  const insideBlock = (parent: string | undefined): boolean => {
    for (let p = parent; p !== undefined; p = byId.get(p)?.parent) if (byId.get(p)?.block) return true;
    return false;
  };
  const collapse = new Set(graph.groups.filter((g) => g.block && !insideBlock(g.parent)).map((g) => g.id));
  if (collapse.size === 0) return project;
  return {
    ...project,
    graph: {
      ...graph,
      groups: graph.groups.map((g) => (collapse.has(g.id) ? { ...g, collapsed: true } : g)),
    },
  };
}
