// `npm run templates`: builds every template in catalog.ts, checks it, and writes templates/<id>.json and index.json.

import { readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatCount } from '../engine/graph/cost.ts';
import { serializeProject } from '../engine/io/project/project.ts';
import {
  checkedAnalysis,
  serializeIndex,
  TEMPLATES,
  type TemplateIndexEntry,
  templateIndexEntry,
  templateProject,
} from './catalog.ts';

const folder = dirname(fileURLToPath(import.meta.url));
const entries: TemplateIndexEntry[] = [];
const written = new Set<string>(['index.json']);
for (const template of TEMPLATES) {
  const graph = template.build();
  const analysis = checkedAnalysis(template, graph);
  const warnings = analysis.problems.filter((p) => p.severity === 'warning');
  for (const w of warnings) console.warn(`${template.id}: warning ${w.code} ${w.message}`);
  const entry = templateIndexEntry(template, graph, analysis);
  writeFileSync(join(folder, entry.file), serializeProject(templateProject(template, graph)));
  written.add(entry.file);
  entries.push(entry);
  console.log(
    `${entry.file.padEnd(22)} ${String(graph.nodes.length).padStart(4)} nodes  ${formatCount(entry.params).padStart(12)} params`,
  );
}
writeFileSync(join(folder, 'index.json'), serializeIndex(entries));
// A template JSON that the catalogue does not build would go stale unnoticed (test/unit/templates.test.ts fails on it).
for (const file of readdirSync(folder))
  if (file.endsWith('.json') && !written.has(file))
    console.warn(`templates/${file} is not in templates/catalog.ts: add it there, or delete the file`);
