// Progress of long work: what is happening, a bar, and a Cancel button when the work can be cancelled.

import type { Task } from '../../session/store.ts';

export function TaskBar({ task, testId }: { task: Task; testId?: string }) {
  const percent = Math.round(task.fraction * 100);
  return (
    <div className="task" data-testid={testId}>
      <div className="task__text">
        <span>{task.label}</span>
        <span className="task__message">{task.message || `${percent}%`}</span>
      </div>
      <div className="task__row">
        <progress className="task__bar" max={100} value={percent} aria-label={task.label} />
        {task.cancel && (
          <button type="button" className="button is-small" onClick={task.cancel}>
            Cancel
          </button>
        )}
      </div>
    </div>
  );
}
