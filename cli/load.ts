// Reads a graph for the CLI: a project or template file, with an optional override of the Input shape.

import { readFileSync } from 'node:fs';
import type { Graph } from '../engine/graph/types.ts';
import { type Project, parseProject } from '../engine/io/project/project.ts';
import { UsageError } from './args.ts';

export function loadProject(path: string): Project {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
    );
  }
  return parseProject(text);
}

/** `3,32,32` -> [3, 32, 32]. */
export function parseShape(text: string): number[] {
  const dims = text
    .split(/[,x ]+/)
    .filter(Boolean)
    .map(Number);
  if (dims.length < 1 || dims.length > 3 || dims.some((d) => !Number.isInteger(d) || d < 1))
    throw new UsageError(`--input must be C,H,W or F with positive integers, not "${text}"`);
  return dims;
}

/** The graph with every Input node's shape replaced. */
export function withInputShape(graph: Graph, shape: number[]): Graph {
  return {
    ...graph,
    nodes: graph.nodes.map((n) => (n.kind === 'Input' ? { ...n, params: { ...n.params, shape } } : n)),
  };
}
