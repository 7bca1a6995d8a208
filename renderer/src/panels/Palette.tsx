// The palette: every layer kind and block preset by category, searchable; drag onto the canvas or double-click.

import { useReactFlow } from '@xyflow/react';
import { useMemo, useState } from 'react';
import { SearchIcon } from '../canvas/icons.tsx';
import { type CatalogItem, DRAG_TYPE, SECTIONS, searchCatalog } from './catalog.ts';
import { insertItem, selectedFeeder } from './insertItem.ts';

export function Palette() {
  const [query, setQuery] = useState('');
  const items = useMemo(() => searchCatalog(query), [query]);
  const flow = useReactFlow();

  const addAtCentre = (item: CatalogItem) => {
    const rect = document.querySelector('.react-flow')?.getBoundingClientRect();
    if (!rect) return;
    const centre = flow.screenToFlowPosition({
      x: rect.left + rect.width / 2,
      y: rect.top + rect.height / 2,
    });
    insertItem(item, centre, selectedFeeder());
  };

  return (
    <aside className="panel palette" aria-label="Layers and blocks">
      <div className="panel__header">
        <h2 className="panel__title">Layers</h2>
      </div>
      <label className="search-field">
        <SearchIcon />
        <input
          className="text-input is-bare"
          type="search"
          placeholder="Search layers"
          aria-label="Search layers and blocks"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
      </label>
      <div className="palette__list">
        {SECTIONS.map(({ id, title }) => {
          const inSection = items.filter((item) => item.section === id);
          if (inSection.length === 0) return null;
          return (
            <section key={id} className="palette__section">
              <h3 className="palette__heading">{title}</h3>
              <ul>
                {inSection.map((item) => (
                  <li key={`${item.type}:${item.kind}`}>
                    <button
                      type="button"
                      className="palette__item"
                      draggable
                      data-testid={`palette-${item.kind}`}
                      title={`${item.summary}\nDrag onto the canvas, or double-click to add (fed by the selected layer).`}
                      onDragStart={(e) => {
                        e.dataTransfer.setData(
                          DRAG_TYPE,
                          JSON.stringify({ type: item.type, kind: item.kind }),
                        );
                        e.dataTransfer.effectAllowed = 'copy';
                      }}
                      onDoubleClick={() => addAtCentre(item)}
                      onKeyDown={(e) => {
                        if (e.key === 'Enter') addAtCentre(item);
                      }}
                    >
                      <span className={`swatch cat-${item.section}`} aria-hidden="true" />
                      <span className="palette__kind">{item.kind}</span>
                    </button>
                  </li>
                ))}
              </ul>
            </section>
          );
        })}
        {items.length === 0 && <p className="panel__empty">No layer matches “{query}”.</p>}
      </div>
    </aside>
  );
}
