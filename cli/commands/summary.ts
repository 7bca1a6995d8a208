// `neurocanvas summary <graph>`: a torchsummary-style table of module paths, kinds, shapes, params and mult-adds.

import { analyze } from '../../engine/graph/analyze.ts';
import { type Cost, formatCount, formatMegabytes, formatShort, sumCosts } from '../../engine/graph/cost.ts';
import { type ModuleTreeNode, modulePaths } from '../../engine/graph/modules.ts';
import type { Graph } from '../../engine/graph/types.ts';
import { numel, shapeText } from '../../engine/layers/shapes.ts';
import type { ParsedArgs } from '../args.ts';
import { UsageError } from '../args.ts';
import { loadProject, parseShape, withInputShape } from '../load.ts';
import { formatProblem } from './validate.ts';

interface Row {
  path: string;
  kind: string;
  shape: string;
  params: number;
  macs: number;
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

/** The table rows: every module in tree order, groups with the totals of what they hold. */
export function summaryRows(graph: Graph): { rows: Row[]; analysis: ReturnType<typeof analyze> } {
  const analysis = analyze(graph);
  const kinds = new Map(graph.nodes.map((n) => [n.id, n.kind]));
  const blocks = new Map(graph.groups.map((g) => [g.id, g.block?.kind ?? 'Module']));
  const rows: Row[] = [];
  const costOf = (t: ModuleTreeNode): Cost =>
    t.type === 'layer' ? analysis.nodes.get(t.id)!.cost : sumCosts(t.children.map(costOf));
  const lastOutput = (t: ModuleTreeNode): string => {
    if (t.type === 'layer') {
      const out = analysis.nodes.get(t.id)?.output;
      return out ? `[-1, ${out.join(', ')}]` : '?';
    }
    const last = t.children.at(-1);
    return last ? lastOutput(last) : '';
  };
  const walk = (t: ModuleTreeNode, depth: number) => {
    if (t.type !== 'root') {
      const cost = costOf(t);
      rows.push({
        path: `${'  '.repeat(depth - 1)}${t.path}`,
        kind: t.type === 'layer' ? kinds.get(t.id)! : (blocks.get(t.id) ?? 'Module'),
        shape: lastOutput(t),
        params: cost.params,
        macs: cost.macs,
      });
    }
    for (const c of t.children) walk(c, depth + 1);
  };
  walk(analysis.tree, 0);
  return { rows, analysis };
}

export function summary(args: ParsedArgs, out: (line: string) => void): number {
  const file = args.positionals[0];
  if (!file) throw new UsageError('usage: neurocanvas summary <graph.json> [--input C,H,W]');
  const project = loadProject(file);
  const input = args.flags.get('input');
  const graph = typeof input === 'string' ? withInputShape(project.graph, parseShape(input)) : project.graph;
  const { rows, analysis } = summaryRows(graph);
  const w = {
    path: Math.max(24, ...rows.map((r) => r.path.length)) + 2,
    kind: Math.max(12, ...rows.map((r) => r.kind.length)) + 2,
    shape: Math.max(16, ...rows.map((r) => r.shape.length)) + 2,
  };
  const width = w.path + w.kind + w.shape + 14 + 16;
  const header =
    pad('Module path', w.path) +
    pad('Kind', w.kind) +
    pad('Output shape', w.shape) +
    pad('Params', 14, true) +
    pad('Mult-adds', 16, true);
  out(`${project.name}${graph === project.graph ? '' : ` (input ${input})`}`);
  out('-'.repeat(width));
  out(header);
  out('='.repeat(width));
  for (const r of rows)
    out(
      pad(r.path, w.path) +
        pad(r.kind, w.kind) +
        pad(r.shape, w.shape) +
        pad(formatCount(r.params), 14, true) +
        pad(formatCount(r.macs), 16, true),
    );
  out('='.repeat(width));
  const t = analysis.total;
  const inputs = graph.nodes
    .filter((n) => n.kind === 'Input')
    .map((n) => analysis.nodes.get(n.id)?.output ?? []);
  const inputBytes = inputs.reduce((sum, s) => sum + numel(s) * 4, 0);
  out(`Total params: ${formatCount(t.params)}`);
  out(`Trainable params: ${formatCount(t.params)}`);
  out(`Buffers (running statistics): ${formatCount(t.buffers)}`);
  out(`Mult-adds per sample: ${formatCount(t.macs)} (${formatShort(t.macs)})`);
  out('-'.repeat(width));
  out(`Input size: ${inputs.map(shapeText).join(', ')} = ${formatMegabytes(inputBytes)}`);
  out(`Forward activations per sample: ${formatMegabytes(t.activationBytes)}`);
  out(`Params and buffers size: ${formatMegabytes(t.paramBytes)}`);
  out('-'.repeat(width));
  const errors = analysis.problems.filter((p) => p.severity === 'error');
  if (analysis.problems.length) {
    const paths = modulePaths(graph);
    out(
      `${errors.length} error${errors.length === 1 ? '' : 's'}, ${analysis.problems.length - errors.length} warning(s):`,
    );
    for (const p of analysis.problems) out(formatProblem(paths, p));
  }
  return errors.length > 0 ? 1 : 0;
}
