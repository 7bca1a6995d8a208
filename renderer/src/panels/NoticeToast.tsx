// Notices: what happened and what to do, at the pointer (a refused edge) or at the bottom; they fade by themselves.

import { useEffect } from 'react';
import { CloseIcon } from '../canvas/icons.tsx';
import { useEditor } from '../store/useEditor.ts';

export function NoticeToast() {
  const notice = useEditor((s) => s.notice);
  const dismiss = useEditor((s) => s.dismissNotice);
  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(dismiss, notice.kind === 'error' || notice.action ? 12_000 : 5_000);
    return () => clearTimeout(timer);
  }, [notice, dismiss]);
  if (!notice) return null;
  const style = notice.at
    ? {
        left: Math.min(notice.at.x + 12, window.innerWidth - 420),
        top: Math.min(notice.at.y + 12, window.innerHeight - 160),
      }
    : undefined;
  return (
    <div
      className={`notice is-${notice.kind}${notice.at ? ' is-at-pointer' : ''}`}
      style={style}
      role={notice.kind === 'error' ? 'alert' : 'status'}
      data-testid="notice"
    >
      <p className="notice__text">{notice.text}</p>
      {notice.action && (
        <button
          type="button"
          className="button is-primary is-small"
          onClick={() => {
            dismiss();
            notice.action?.run();
          }}
        >
          {notice.action.label}
        </button>
      )}
      <button type="button" className="icon-button is-small" onClick={dismiss} aria-label="Dismiss">
        <CloseIcon />
      </button>
    </div>
  );
}
