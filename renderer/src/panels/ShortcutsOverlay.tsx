// The `?` overlay: every shortcut from the one shortcut list, by section.

import { SHORTCUTS, type Shortcut } from '../app/shortcuts.ts';
import { useEditor } from '../store/useEditor.ts';
import { Modal } from './Modal.tsx';

const SECTIONS: Shortcut['section'][] = ['File', 'Edit', 'Modules', 'Canvas', 'Training', 'Help'];

export function ShortcutsOverlay() {
  const open = useEditor((s) => s.ui.overlay === 'shortcuts');
  const setUi = useEditor((s) => s.setUi);
  if (!open) return null;
  return (
    <Modal title="Keyboard shortcuts" onClose={() => setUi({ overlay: null })} wide>
      <div className="shortcuts">
        {SECTIONS.map((section) => (
          <section key={section} className="shortcuts__section">
            <h3 className="shortcuts__heading">{section}</h3>
            <dl>
              {SHORTCUTS.filter((s) => s.section === section).map((s) => (
                <div key={s.label} className="shortcuts__row">
                  <dt>{s.label}</dt>
                  <dd>
                    {s.keys.split(' / ').map((k, i) => (
                      <span key={k}>
                        {i > 0 && <span className="shortcuts__or">or</span>}
                        {k.split('+').map((part, j) => (
                          <span key={part}>
                            {j > 0 && '+'}
                            <kbd>{part}</kbd>
                          </span>
                        ))}
                      </span>
                    ))}
                  </dd>
                </div>
              ))}
            </dl>
          </section>
        ))}
      </div>
    </Modal>
  );
}
