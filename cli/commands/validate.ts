// `neurocanvas validate <graph>`: prints every problem; exits non-zero when there is an error.

import { analyze } from '../../engine/graph/analyze.ts';
import { modulePaths } from '../../engine/graph/modules.ts';
import type { Problem } from '../../engine/graph/problem.ts';
import type { ParsedArgs } from '../args.ts';
import { UsageError } from '../args.ts';
import { loadProject, parseShape, withInputShape } from '../load.ts';

/** One problem as a readable block: where, what, and the fix on offer. */
export function formatProblem(paths: Map<string, string>, p: Problem): string {
  const where = p.nodeId ?? p.groupId;
  const node = where ? (paths.get(where) ?? where) : 'graph';
  const lines = [
    `${p.severity === 'error' ? 'error' : 'warning'} ${p.code} ${p.title} at ${node}${p.param ? ` (${p.param})` : ''}`,
  ];
  lines.push(`  ${p.message}`);
  if (p.expected !== undefined || p.arrived !== undefined)
    lines.push(`  expected: ${p.expected ?? '-'}   arrived: ${p.arrived ?? '-'}`);
  if (p.fix) lines.push(`  fix: ${p.fix.label}`);
  return lines.join('\n');
}

export function validate(args: ParsedArgs, out: (line: string) => void): number {
  const file = args.positionals[0];
  if (!file) throw new UsageError('usage: neurocanvas validate <graph.json> [--input C,H,W]');
  const project = loadProject(file);
  const input = args.flags.get('input');
  const graph = typeof input === 'string' ? withInputShape(project.graph, parseShape(input)) : project.graph;
  const analysis = analyze(graph);
  const paths = modulePaths(graph);
  for (const p of analysis.problems) out(formatProblem(paths, p));
  const errors = analysis.problems.filter((p) => p.severity === 'error').length;
  const warnings = analysis.problems.length - errors;
  out(`${file}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`);
  return errors > 0 ? 1 : 0;
}
