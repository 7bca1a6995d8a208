// The templates gallery: the networks of templates/index.json as cards; choosing one opens it as a new project.

import { useMemo } from 'react';
import { formatCount } from '../../../engine/graph/cost.ts';
import { openTemplate } from '../app/projectFiles.ts';
import { templateList } from '../project/templates.ts';
import { useEditor } from '../store/useEditor.ts';
import { Modal } from './Modal.tsx';

export function TemplatesGallery() {
  const open = useEditor((s) => s.ui.overlay === 'templates');
  const setUi = useEditor((s) => s.setUi);
  const templates = useMemo(() => templateList(), []);
  if (!open) return null;
  return (
    <Modal title="Templates" onClose={() => setUi({ overlay: null })} wide>
      {templates.length === 0 ? (
        <p className="panel__empty">No templates were built into this version.</p>
      ) : (
        <ul className="gallery">
          {templates.map((t) => (
            <li key={t.id}>
              <button
                type="button"
                className="gallery__card"
                onClick={() => void openTemplate(t)}
                data-testid={`template-${t.id}`}
              >
                <span className="gallery__title">{t.title}</span>
                {t.params !== undefined && (
                  <span className="gallery__params">
                    {typeof t.params === 'number' ? `${formatCount(t.params)} parameters` : t.params}
                  </span>
                )}
                {t.description && <span className="gallery__description">{t.description}</span>}
              </button>
            </li>
          ))}
        </ul>
      )}
    </Modal>
  );
}
