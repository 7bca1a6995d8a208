// The shipped templates/*.json: they load, analyze clean, match what templates/catalog.ts builds, and count right.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../engine/graph/analyze.ts';
import { BLOCKS } from '../../engine/graph/blocks/registry.ts';
import { GraphBuilder } from '../../engine/graph/builder.ts';
import { layeredLayout } from '../../engine/graph/layout.ts';
import { parseProject, serializeProject } from '../../engine/io/project/project.ts';
import {
  checkedAnalysis,
  serializeIndex,
  TEMPLATES,
  templateById,
  templateIndexEntry,
  templateProject,
} from '../../templates/catalog.ts';

const FOLDER = join(dirname(fileURLToPath(import.meta.url)), '../../templates');
const read = (file: string) => readFileSync(join(FOLDER, file), 'utf8');
const STALE = 'is stale: run `npm run templates` and commit the result';

describe('templates/*.json', () => {
  it('holds exactly one file per catalogue entry, plus index.json', () => {
    const files = readdirSync(FOLDER).filter((f) => f.endsWith('.json'));
    expect(files.sort()).toEqual([...TEMPLATES.map((t) => `${t.id}.json`), 'index.json'].sort());
  });

  for (const template of TEMPLATES)
    it(`${template.id}.json parses, analyzes without problems and equals what the catalogue builds`, () => {
      const text = read(`${template.id}.json`);
      const project = parseProject(text);
      const analysis = analyze(project.graph);
      expect(analysis.problems.map((p) => `${p.severity} ${p.code} ${p.message}`)).toEqual([]);
      expect(text, `${template.id}.json ${STALE}`).toBe(serializeProject(templateProject(template)));
      expect(Object.keys(project.layout).sort()).toEqual(project.graph.nodes.map((n) => n.id).sort());
      const output = project.graph.nodes.filter((n) => n.kind === 'Output');
      expect(output.map((n) => n.name)).toEqual(['output']);
      expect(project.graph.nodes.filter((n) => n.kind === 'Input').map((n) => n.name)).toEqual(['input']);
    });

  it('index.json lists every template with its input shape and parameter total', () => {
    const entries = TEMPLATES.map((t) => {
      const graph = t.build();
      return templateIndexEntry(t, graph, checkedAnalysis(t, graph));
    });
    expect(read('index.json'), `index.json ${STALE}`).toBe(serializeIndex(entries));
  });

  it('counts the parameters torch counts', () => {
    const params = (id: string) => checkedAnalysis(templateById(id)!).total.params;
    expect(params('resnet18')).toBe(11_689_512);
    expect(params('lenet5')).toBe(61_706);
    expect(params('vgg16')).toBe(138_357_544);
    expect(params('resnet50')).toBe(25_557_032);
    expect(params('googlenet')).toBe(6_624_904);
    expect(params('densenet121')).toBe(7_978_856);
    for (const id of ['resnet_cifar', 'vgg_cifar', 'densenet_cifar'])
      expect(params(id)).toBeLessThan(1_000_000);
  });
});

describe('block presets', () => {
  it('each builds alone with its defaults into a clean, named group', () => {
    for (const block of BLOCKS) {
      const b = new GraphBuilder();
      const channels = Number(block.params.in_channels!.default);
      const x = b.layer('Input', { shape: [channels, 28, 28] }, [], 'input');
      const out = block.build(b, x, {}, 'block');
      const pool = b.layer('AdaptiveAvgPool2d', { output_size: 1 }, [out], 'avgpool');
      const flat = b.layer('Flatten', {}, [pool], 'flatten');
      const fc = b.layer('Linear', { out_features: 10 }, [flat], 'fc');
      b.layer('Output', { num_classes: 10 }, [fc], 'output');
      const analysis = analyze(b.graph);
      expect(analysis.problems, block.kind).toEqual([]);
      expect(b.graph.groups[0]).toMatchObject({ name: 'block', block: { kind: block.kind } });
    }
  });

  it('DenseLayer adds growth_rate channels after its input; Transition halves size; Inception sums branches', () => {
    const shapeAfter = (kind: string, params: Record<string, number>, input: number[]) => {
      const b = new GraphBuilder();
      const x = b.layer('Input', { shape: input }, [], 'input');
      const out = BLOCKS.find((d) => d.kind === kind)!.build(b, x, params, 'block');
      return analyze(b.graph).nodes.get(out)!.output;
    };
    expect(shapeAfter('DenseLayer', { in_channels: 24, growth_rate: 12 }, [24, 8, 8])).toEqual([36, 8, 8]);
    expect(shapeAfter('Transition', { in_channels: 36, out_channels: 18 }, [36, 8, 8])).toEqual([18, 4, 4]);
    expect(shapeAfter('Inception', {}, [192, 28, 28])).toEqual([64 + 128 + 32 + 32, 28, 28]);
  });

  it('DenseLayer with drop_rate adds a Dropout and no state', () => {
    const b = new GraphBuilder();
    const x = b.layer('Input', { shape: [8, 4, 4] }, [], 'input');
    BLOCKS.find((d) => d.kind === 'DenseLayer')!.build(b, x, { in_channels: 8, drop_rate: 0.2 }, 'layer');
    expect(b.graph.nodes.filter((n) => n.kind === 'Dropout').map((n) => n.params.p)).toEqual([0.2]);
  });
});

describe('layeredLayout', () => {
  it('places nodes left to right by longest path, branches spread, deterministically', () => {
    const graph = templateById('googlenet')!.build();
    const layout = layeredLayout(graph);
    expect(layeredLayout(graph)).toEqual(layout);
    for (const edge of graph.edges) expect(layout[edge.target]!.x).toBeGreaterThan(layout[edge.source]!.x);
    const seen = new Set<string>();
    for (const node of graph.nodes) {
      const { x, y } = layout[node.id]!;
      expect(seen.has(`${x},${y}`), `two nodes at ${x},${y}`).toBe(false);
      seen.add(`${x},${y}`);
    }
    expect(layout.input).toEqual({ x: 0, y: 0 });
  });

  it('ranks a diamond by its longest path and survives a cycle', () => {
    const graph = {
      nodes: ['a', 'b', 'c', 'd'].map((id) => ({ id, kind: 'ReLU', name: id, params: {} })),
      edges: [
        { id: 'ab', source: 'a', target: 'b', port: 0 },
        { id: 'bc', source: 'b', target: 'c', port: 0 },
        { id: 'ac', source: 'a', target: 'd', port: 0 },
        { id: 'dc', source: 'd', target: 'c', port: 1 },
        { id: 'cb', source: 'c', target: 'b', port: 1 },
      ],
      groups: [],
    };
    const layout = layeredLayout(graph, { rankSpacing: 100, nodeSpacing: 50 });
    expect(Object.keys(layout).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(layout.a).toEqual({ x: 0, y: 0 });
    expect(layout.d!.x).toBe(100);
    const acyclic = { ...graph, edges: graph.edges.filter((e) => e.id !== 'cb') };
    const ranks = layeredLayout(acyclic, { rankSpacing: 100, nodeSpacing: 50 });
    expect([ranks.a!.x, ranks.b!.x, ranks.d!.x, ranks.c!.x]).toEqual([0, 100, 100, 200]);
    expect(ranks.b!.y).not.toBe(ranks.d!.y);
  });
});
