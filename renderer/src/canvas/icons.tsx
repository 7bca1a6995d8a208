// Small inline SVG icons used across the editor (stroke follows the text colour).

import type { ReactNode } from 'react';

function Icon({ children, size = 16 }: { children: ReactNode; size?: number }) {
  return (
    <svg
      viewBox="0 0 16 16"
      width={size}
      height={size}
      fill="none"
      stroke="currentColor"
      strokeWidth="1.5"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
    >
      {children}
    </svg>
  );
}

export const ChevronIcon = ({ open }: { open: boolean }) => (
  <Icon size={14}>{open ? <path d="m4 6 4 4 4-4" /> : <path d="m6 4 4 4-4 4" />}</Icon>
);
export const UndoIcon = () => (
  <Icon>
    <path d="M6 4 3 7l3 3" />
    <path d="M3 7h6.5a3.5 3.5 0 0 1 0 7H8" />
  </Icon>
);
export const RedoIcon = () => (
  <Icon>
    <path d="m10 4 3 3-3 3" />
    <path d="M13 7H6.5a3.5 3.5 0 0 0 0 7H8" />
  </Icon>
);
export const LayoutIcon = () => (
  <Icon>
    <rect x="1.5" y="2.5" width="4" height="3" rx="0.8" />
    <rect x="10.5" y="2.5" width="4" height="3" rx="0.8" />
    <rect x="10.5" y="10.5" width="4" height="3" rx="0.8" />
    <path d="M5.5 4h5M12.5 5.5v5" />
  </Icon>
);
export const FitIcon = () => (
  <Icon>
    <path d="M2 5.5V2h3.5M10.5 2H14v3.5M14 10.5V14h-3.5M5.5 14H2v-3.5" />
  </Icon>
);
export const SearchIcon = () => (
  <Icon size={14}>
    <circle cx="7" cy="7" r="4.5" />
    <path d="m10.5 10.5 3.5 3.5" />
  </Icon>
);
export const CloseIcon = () => (
  <Icon size={14}>
    <path d="m4 4 8 8M12 4l-8 8" />
  </Icon>
);
export const ThemeIcon = () => (
  <Icon>
    <circle cx="8" cy="8" r="5.5" />
    <path d="M8 2.5v11a5.5 5.5 0 0 0 0-11z" fill="currentColor" />
  </Icon>
);
export const HelpIcon = () => (
  <Icon>
    <circle cx="8" cy="8" r="6.5" />
    <path d="M6.2 6.2a1.9 1.9 0 1 1 2.6 1.8c-.5.2-.8.6-.8 1.1v.4M8 11.6v.2" />
  </Icon>
);
