// What validation reports: a problem pinned to the node, edge, group or parameter at fault, with an optional fix.

import { PROBLEMS, type ProblemKind } from '../problems.ts';
import type { GraphEdit } from './edits.ts';

/** A one-click fix, as edits the editor applies through its one dispatcher (so it can be undone). */
export interface Fix {
  label: string;
  edits: GraphEdit[];
}

export interface Problem {
  code: string;
  title: string;
  severity: 'error' | 'warning';
  message: string;
  nodeId?: string;
  edgeId?: string;
  groupId?: string;
  param?: string;
  expected?: string;
  arrived?: string;
  fix?: Fix;
}

export function problem(
  kind: ProblemKind,
  fields: Omit<Problem, 'code' | 'title' | 'severity'> & { severity?: Problem['severity'] },
): Problem {
  const { code, title } = PROBLEMS[kind];
  return { code, title, severity: 'error', ...fields };
}

export function titleOf(code: string): string {
  for (const entry of Object.values(PROBLEMS)) if (entry.code === code) return entry.title;
  return 'Problem';
}
