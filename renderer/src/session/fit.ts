// Does the data fit the network? Compares the data's image shape and classes with the Input and Output nodes,
// and offers the fixes: fit the data (resize, grey/colour), or change the Input's shape or the Output's classes.

import type { ImageShape } from '../../../engine/data/types.ts';
import type { Analysis } from '../../../engine/graph/analyze.ts';
import type { Graph } from '../../../engine/graph/types.ts';

export type FitFix =
  | { kind: 'fitData'; label: string; shape: ImageShape }
  | { kind: 'setInput'; label: string; node: string; shape: number[] }
  | { kind: 'setClasses'; label: string; node: string; classes: number };

export interface FitIssue {
  message: string;
  fixes: FitFix[];
}

const dims = (shape: readonly number[]) => shape.join(' x ');
const colour = (c: number) => (c === 1 ? 'grey' : c === 3 ? 'colour' : `${c}-channel`);

export function dataFit(
  data: { shape: ImageShape; originalShape: ImageShape; classes: readonly string[] },
  graph: Graph,
  analysis: Analysis,
): FitIssue[] {
  const issues: FitIssue[] = [];
  const input = graph.nodes.find((n) => n.kind === 'Input');
  const inShape =
    input && (analysis.nodes.get(input.id)?.output ?? (input.params.shape as number[] | undefined));
  if (input && inShape) {
    const [c, h, w] = data.shape;
    const size = c * h * w;
    if (inShape.length === 3) {
      const [ic, ih, iw] = inShape as [number, number, number];
      const channels = ic !== c;
      const resize = ih !== h || iw !== w;
      if (channels || resize) {
        const what = [
          channels
            ? `${colour(c)} (${c} channel${c === 1 ? '' : 's'}) where the Input takes ${colour(ic)}`
            : '',
          resize ? `${h} x ${w} pixels where the Input takes ${ih} x ${iw}` : '',
        ].filter(Boolean);
        const fitLabel =
          channels && resize
            ? `Convert to ${colour(ic)} and resize to ${ih} x ${iw}`
            : channels
              ? `Convert the images to ${colour(ic)}`
              : `Resize the images to ${ih} x ${iw}`;
        issues.push({
          message: `The images are ${what.join(', and ')}.`,
          fixes: [
            { kind: 'fitData', label: fitLabel, shape: [ic, ih, iw] },
            {
              kind: 'setInput',
              label: `Change the Input to ${dims(data.originalShape)}`,
              node: input.id,
              shape: [...data.originalShape],
            },
          ],
        });
      }
    } else if (inShape.reduce((a, b) => a * b, 1) !== size) {
      issues.push({
        message: `Each image has ${size} values (${dims(data.shape)}) but the Input takes ${dims(inShape)}.`,
        fixes: [{ kind: 'setInput', label: `Change the Input to ${size}`, node: input.id, shape: [size] }],
      });
    }
  }
  const output = graph.nodes.find((n) => n.kind === 'Output');
  const classes = output ? Number(output.params.num_classes) : 0;
  if (output && Number.isFinite(classes) && data.classes.length > classes)
    issues.push({
      message: `The data has ${data.classes.length} classes but the Output gives ${classes}.`,
      fixes: [
        {
          kind: 'setClasses',
          label: `Set the Output to ${data.classes.length} classes`,
          node: output.id,
          classes: data.classes.length,
        },
      ],
    });
  return issues;
}
