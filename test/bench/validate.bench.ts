// Benchmark: how long live validation (analyze) takes on the largest templates; prints medians, asserts nothing.

import { readFileSync } from 'node:fs';
import { analyze } from '../../engine/graph/analyze.ts';
import { parseProject } from '../../engine/io/project/project.ts';

const TEMPLATES = ['lenet5', 'resnet18', 'resnet50', 'googlenet', 'densenet121'];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

console.log('validation (analyze: shapes, problems, costs, module tree) per call, after 20 warm-up calls');
console.log('template        nodes  edges   median ms   p90 ms');
for (const id of TEMPLATES) {
  const project = parseProject(readFileSync(new URL(`../../templates/${id}.json`, import.meta.url), 'utf8'));
  const graph = project.graph;
  for (let i = 0; i < 20; i++) analyze(graph);
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const start = performance.now();
    analyze(graph);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  console.log(
    `${id.padEnd(14)}${String(graph.nodes.length).padStart(6)}${String(graph.edges.length).padStart(7)}${median(times).toFixed(3).padStart(12)}${times[Math.floor(times.length * 0.9)]!.toFixed(3).padStart(9)}`,
  );
}
