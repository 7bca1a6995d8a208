// The quick-add box: type to find a layer or block, Enter to add it where the box opened.

import { useReactFlow } from '@xyflow/react';
import { useEffect, useMemo, useRef, useState } from 'react';
import { searchCatalog } from '../panels/catalog.ts';
import { insertItem } from '../panels/insertItem.ts';
import { useEditor } from '../store/useEditor.ts';

export function QuickAdd() {
  const at = useEditor((s) => s.ui.quickAdd);
  const flow = useReactFlow();
  const setUi = useEditor((s) => s.setUi);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const results = useMemo(() => searchCatalog(query), [query]);

  useEffect(() => {
    if (at) {
      setQuery('');
      setActive(0);
      input.current?.focus();
    }
  }, [at]);

  if (!at) return null;
  const close = () => setUi({ quickAdd: null });
  const choose = (index: number) => {
    const item = results[index];
    if (!item) return;
    close();
    insertItem(item, flow.screenToFlowPosition(at.client), at.from);
  };
  const left = Math.min(at.client.x, window.innerWidth - 340);
  const top = Math.min(at.client.y, window.innerHeight - 360);

  return (
    <div className="quick-add" style={{ left, top }} role="dialog" aria-label="Add a layer">
      <input
        ref={input}
        className="text-input"
        placeholder="Add a layer or block…"
        aria-label="Search layers and blocks"
        role="combobox"
        aria-expanded="true"
        aria-controls="quick-add-list"
        aria-activedescendant={`quick-add-${active}`}
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onBlur={close}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') setActive((i) => Math.min(i + 1, results.length - 1));
          else if (e.key === 'ArrowUp') setActive((i) => Math.max(i - 1, 0));
          else if (e.key === 'Enter') choose(active);
          else if (e.key === 'Escape') close();
          else return;
          e.preventDefault();
          e.stopPropagation();
        }}
      />
      <div className="quick-add__list" role="listbox" id="quick-add-list" aria-label="Layers and blocks">
        {results.slice(0, 12).map((item, i) => (
          <div
            key={`${item.type}:${item.kind}`}
            id={`quick-add-${i}`}
            role="option"
            tabIndex={-1}
            aria-selected={i === active}
            className={`quick-add__item${i === active ? ' is-active' : ''}`}
            onMouseDown={(e) => {
              e.preventDefault();
              choose(i);
            }}
            onMouseEnter={() => setActive(i)}
          >
            <span className={`swatch cat-${item.section}`} />
            <span className="quick-add__kind">{item.kind}</span>
            <span className="quick-add__section">{item.section}</span>
          </div>
        ))}
        {results.length === 0 && <p className="quick-add__empty">Nothing matches “{query}”.</p>}
      </div>
    </div>
  );
}
