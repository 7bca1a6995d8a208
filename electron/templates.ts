// The template list for the Templates menu, read from templates/index.json when main.cjs is bundled (so the
// packaged app needs no file access for it); the renderer opens a template by its id.

import index from '../templates/index.json';

export interface TemplateMenuItem {
  id: string;
  title: string;
  /** e.g. `mnist`, `cifar10`, `imagenet`: the menu puts a separator between categories. */
  category: string;
}

export function templatesFromIndex(raw: unknown): TemplateMenuItem[] {
  const list = (raw as { templates?: unknown } | null)?.templates;
  if (!Array.isArray(list)) return [];
  return list.flatMap((item: unknown) => {
    const t = item as Partial<Record<'id' | 'title' | 'category', unknown>>;
    if (typeof t.id !== 'string' || typeof t.title !== 'string') return [];
    return [{ id: t.id, title: t.title, category: typeof t.category === 'string' ? t.category : 'other' }];
  });
}

export const TEMPLATES: readonly TemplateMenuItem[] = templatesFromIndex(index);
