// The name of a layer or module: its attribute name in PyTorch, checked as you type so state_dict keys stay valid.

import { useEffect, useRef, useState } from 'react';
import { nameProblem, siblingNames } from '../../../engine/graph/modules.ts';
import { editorStore, useEditor } from '../store/useEditor.ts';

export function NameField({
  id,
  name,
  parent,
  parentPath,
}: {
  id: string;
  name: string;
  parent: string | undefined;
  parentPath: string;
}) {
  const [draft, setDraft] = useState(name);
  const graph = useEditor((s) => s.graph);
  const cancelled = useRef(false);
  useEffect(() => setDraft(name), [name]);

  const problem =
    draft === name
      ? null
      : (nameProblem(draft) ??
        (siblingNames(graph, parent).includes(draft)
          ? `${parentPath || 'The model'} already has a child called "${draft}"; state_dict keys would collide.`
          : null));
  const commit = () => {
    const cancel = cancelled.current;
    cancelled.current = false;
    if (!cancel && draft !== name && !problem)
      editorStore()
        .getState()
        .dispatch([{ type: 'rename', id, name: draft }], 'Rename');
    else setDraft(name);
  };
  return (
    <div className={`field${problem ? ' has-error' : ''}`}>
      <label htmlFor="inspector-name" className="field__label">
        name
      </label>
      <input
        id="inspector-name"
        className="text-input is-mono"
        value={draft}
        spellCheck={false}
        aria-invalid={problem ? true : undefined}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') (e.target as HTMLInputElement).blur();
          if (e.key === 'Escape') {
            cancelled.current = true;
            setDraft(name);
          }
        }}
      />
      {problem && (
        <p className="field__error" role="alert">
          {problem}
        </p>
      )}
    </div>
  );
}
