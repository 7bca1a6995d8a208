// A problem's message with expected vs arrived and its Fix button, shown on a node and in the problems list.

import type { Problem } from '../../../engine/graph/problem.ts';
import { useEditor } from '../store/useEditor.ts';

export function ProblemCard({ problem, compact = false }: { problem: Problem; compact?: boolean }) {
  const applyFix = useEditor((s) => s.applyFix);
  return (
    <div className={`problem-card is-${problem.severity}${compact ? ' is-compact' : ''}`} role="alert">
      <div className="problem-card__title">
        <ProblemIcon severity={problem.severity} />
        <span>{problem.title}</span>
        <code className="problem-card__code">{problem.code}</code>
      </div>
      <p className="problem-card__message">{problem.message}</p>
      {(problem.expected !== undefined || problem.arrived !== undefined) && (
        <dl className="problem-card__compare">
          {problem.expected !== undefined && (
            <>
              <dt>expected</dt>
              <dd>{problem.expected}</dd>
            </>
          )}
          {problem.arrived !== undefined && (
            <>
              <dt>arrived</dt>
              <dd>{problem.arrived}</dd>
            </>
          )}
        </dl>
      )}
      {problem.fix && (
        <button
          type="button"
          className="button is-primary nodrag nopan problem-card__fix"
          onClick={(event) => {
            event.stopPropagation();
            applyFix(problem);
          }}
        >
          Fix: {problem.fix.label}
        </button>
      )}
    </div>
  );
}

export function ProblemIcon({ severity }: { severity: Problem['severity'] }) {
  return (
    <svg
      className={`problem-icon is-${severity}`}
      viewBox="0 0 16 16"
      width="14"
      height="14"
      aria-hidden="true"
    >
      {severity === 'error' ? (
        <>
          <circle cx="8" cy="8" r="7" fill="currentColor" />
          <path
            d="M8 4v5M8 11.2v.6"
            stroke="var(--problem-icon-mark)"
            strokeWidth="1.8"
            strokeLinecap="round"
          />
        </>
      ) : (
        <>
          <path d="M8 1.5 15 14H1z" fill="currentColor" />
          <path
            d="M8 6v4M8 11.8v.4"
            stroke="var(--problem-icon-mark)"
            strokeWidth="1.6"
            strokeLinecap="round"
          />
        </>
      )}
    </svg>
  );
}
