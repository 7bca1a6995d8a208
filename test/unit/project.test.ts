// The project file: save -> open round-trips exactly; malformed files are refused whole, naming the field at fault.

import { describe, expect, it } from 'vitest';
import { Residual } from '../../engine/graph/blocks/residual.ts';
import { GraphBuilder } from '../../engine/graph/builder.ts';
import {
  DEFAULT_TRAINING,
  newProject,
  PROJECT_FORMAT,
  PROJECT_VERSION,
  type Project,
  ProjectError,
  parseProject,
  serializeProject,
} from '../../engine/io/project/project.ts';

/** The chapter's ResNet with a layout for every node and group, MNIST and training settings. */
function sample(): Project {
  const b = new GraphBuilder();
  const x = b.layer('Input', { shape: [3, 32, 32] }, [], 'inp');
  const stem = b.sequential('conv1', x, [
    ['Conv2d', { in_channels: 3, out_channels: 16, kernel_size: 3, padding: 1 }],
    ['BatchNorm2d', { num_features: 16, eps: 1e-5, momentum: 0.1 }],
  ]);
  const relu = b.layer('ReLU', { inplace: true }, [stem], 'relu');
  const blk1 = Residual.build(b, relu, { in_channels: 16, out_channels: 16, style: 'chapter' }, 'blk1');
  const blk2 = Residual.build(b, blk1, { in_channels: 16, out_channels: 32, style: 'chapter' }, 'blk2');
  const pool = b.layer('MaxPool2d', { kernel_size: [2, 3], stride: null }, [blk2], 'pool');
  const flat = b.layer('Flatten', {}, [pool], 'flatten');
  const drop = b.layer('Dropout', { p: 0.25 }, [flat], 'drop');
  const fc = b.layer('Linear', { out_features: 10 }, [drop], 'outlayer');
  b.layer('Output', { num_classes: 10, label_smoothing: 0.1 }, [fc], 'output');
  b.graph.groups[1]!.collapsed = true;
  b.graph.groups[2]!.collapsed = false;
  const layout: Project['layout'] = {};
  b.graph.nodes.forEach((n, i) => {
    layout[n.id] = { x: i * 120.5, y: 40 - i * 7 };
  });
  for (const g of b.graph.groups) layout[g.id] = { x: 0, y: 1e-3 };
  return newProject('Chapter ResNet', b.graph, {
    description: 'CIFAR-10 ResNet from the course — with "quotes" and ünïcode',
    layout,
    dataset: { source: 'path', path: '/data/cifar-10-batches-bin' },
    training: { ...DEFAULT_TRAINING, optimizer: 'adam', lr: 1e-3, batch_size: 32, epochs: 10, seed: 42 },
  });
}

/** Project JSON as loose data, so tests can break any field. */
// biome-ignore lint/suspicious/noExplicitAny: the tests below break fields of arbitrary JSON on purpose
type Raw = any;

/** The sample as plain JSON data, to break in one place. */
function raw(): Raw {
  return JSON.parse(serializeProject(sample()));
}

/** Parsing `text` must throw a ProjectError; returns it. */
function refuse(text: string): ProjectError {
  let result: unknown;
  try {
    result = parseProject(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ProjectError);
    return error as ProjectError;
  }
  throw new Error(`parseProject accepted a bad file and returned ${JSON.stringify(result).slice(0, 200)}`);
}

function refuseData(data: unknown): ProjectError {
  return refuse(JSON.stringify(data));
}

describe('save and open', () => {
  it('round-trips exactly: deep equal, and identical text when saved again', () => {
    const project = sample();
    const text = serializeProject(project);
    const opened = parseProject(text);
    expect(opened).toStrictEqual(project);
    expect(serializeProject(opened)).toBe(text);
  });

  it('writes the format tag and version first (1 without version-2 settings), and ends with a newline', () => {
    const text = serializeProject(sample());
    expect(text.startsWith(`{\n "format": "${PROJECT_FORMAT}",\n "version": 1,`)).toBe(true);
    expect(text.endsWith('}\n')).toBe(true);
    expect(Object.keys(JSON.parse(text))).toEqual([
      'format',
      'version',
      'name',
      'description',
      'graph',
      'layout',
      'dataset',
      'training',
    ]);
  });

  it('saving is independent of key order in memory', () => {
    const project = sample();
    const shuffled: Project = {
      training: project.training,
      dataset: project.dataset,
      layout: project.layout,
      graph: {
        groups: project.graph.groups.map((g) => ({ ...(g.block ? { block: g.block } : {}), ...g })),
        edges: project.graph.edges.map((e) => ({
          port: e.port,
          target: e.target,
          source: e.source,
          id: e.id,
        })),
        nodes: project.graph.nodes.map(({ params, ...rest }) => ({ params, ...rest })),
      },
      description: project.description,
      name: project.name,
      version: project.version,
      format: project.format,
    };
    expect(serializeProject(shuffled)).toBe(serializeProject(project));
  });

  it('an empty project with no data set or training round-trips, and a missing description reads as empty', () => {
    const empty = newProject('Empty', { nodes: [], edges: [], groups: [] });
    const text = serializeProject(empty);
    expect(parseProject(text)).toStrictEqual(empty);
    const data = JSON.parse(text);
    delete data.description;
    expect(parseProject(JSON.stringify(data)).description).toBe('');
  });

  it('the built-in MNIST data set round-trips', () => {
    const p = newProject(
      'digits',
      { nodes: [], edges: [], groups: [] },
      { dataset: { source: 'builtin', name: 'mnist' } },
    );
    expect(parseProject(serializeProject(p))).toStrictEqual(p);
  });

  it('each learning-rate schedule round-trips, and an unknown one is refused naming schedule.kind', () => {
    const schedules = [
      { kind: 'constant' },
      { kind: 'step', step_size: 2, gamma: 0.5 },
      { kind: 'cosine', eta_min: 1e-5 },
      { kind: 'onecycle', pct_start: 0.3, div_factor: 25, final_div_factor: 1e4 },
    ] as const;
    for (const schedule of schedules) {
      const project = { ...sample(), training: { ...DEFAULT_TRAINING, schedule } };
      const text = serializeProject(project);
      expect(parseProject(text)).toEqual(project);
      expect(serializeProject(parseProject(text))).toBe(text);
    }
    const data = raw();
    data.training.schedule = { kind: 'exponential', gamma: 0.9 };
    expect(refuseData(data).path).toBe('project.training.schedule.kind');
  });

  it('a layout entry for any node id round-trips, even one called __proto__', () => {
    const p = newProject(
      'odd ids',
      {
        nodes: [{ id: '__proto__', kind: 'Input', name: 'inp', params: { shape: [4] } }],
        edges: [],
        groups: [],
      },
      { layout: JSON.parse('{"__proto__": {"x": 1, "y": 2}}') },
    );
    const text = serializeProject(p);
    const opened = parseProject(text);
    expect(Object.keys(opened.layout)).toEqual(['__proto__']);
    expect(serializeProject(opened)).toBe(text);
  });
});

describe('malformed files are refused whole, naming the field at fault', () => {
  it('not JSON', () => {
    const e = refuse('hello, world');
    expect(e.message).toContain('not valid JSON');
    expect(e.path).toBe('');
  });

  it('truncated JSON', () => {
    const text = serializeProject(sample());
    for (const cut of [1, 100, Math.floor(text.length / 2), text.length - 3]) {
      const e = refuse(text.slice(0, cut));
      expect(e.message).toContain('may be truncated');
    }
    expect(refuse('').message).toContain('not valid JSON');
  });

  it('not an object at the top', () => {
    expect(refuse('[1, 2]').path).toBe('project');
    expect(refuse('null').message).toContain('must be an object, not null');
  });

  it('wrong format tag', () => {
    const data = raw();
    data.format = 'some-other-app';
    const e = refuseData(data);
    expect(e.message).toContain('not a NeuroCanvas project');
    expect(e.message).toContain('"some-other-app"');
    data.format = 3;
    expect(refuseData(data).message).toContain('not a NeuroCanvas project');
  });

  it('no format tag at all (any other JSON file, e.g. a package.json) is a ProjectError too', () => {
    const data = raw();
    delete data.format;
    expect(refuseData(data).message).toContain('not a NeuroCanvas project');
    expect(refuseData({ name: 'neurocanvas', version: '0.1.0' }).message).toContain(
      'not a NeuroCanvas project',
    );
    expect(refuse('{}').message).toContain('not a NeuroCanvas project');
  });

  it('a newer format version says to update NeuroCanvas', () => {
    const data = raw();
    data.version = PROJECT_VERSION + 1;
    const e = refuseData(data);
    expect(e.message).toContain(`format version ${PROJECT_VERSION + 1}`);
    expect(e.message).toContain('Update NeuroCanvas');
  });

  it.each([
    ['version 0', (d: Raw) => (d.version = 0), 'project.version'],
    ['version as text', (d: Raw) => (d.version = '1'), 'project.version'],
    ['version missing', (d: Raw) => delete d.version, 'project.version'],
    ['name missing', (d: Raw) => delete d.name, 'project.name'],
    ['name a number', (d: Raw) => (d.name = 7), 'project.name'],
    ['description a list', (d: Raw) => (d.description = []), 'project.description'],
    ['graph missing', (d: Raw) => delete d.graph, 'project.graph'],
    ['graph a list', (d: Raw) => (d.graph = []), 'project.graph'],
    ['nodes missing', (d: Raw) => delete d.graph.nodes, 'project.graph.nodes'],
    ['edges an object', (d: Raw) => (d.graph.edges = {}), 'project.graph.edges'],
    ['groups missing', (d: Raw) => delete d.graph.groups, 'project.graph.groups'],
    ['node not an object', (d: Raw) => (d.graph.nodes[2] = 'conv'), 'project.graph.nodes[2]'],
    ['node without kind', (d: Raw) => delete d.graph.nodes[3].kind, 'project.graph.nodes[3].kind'],
    ['node with empty kind', (d: Raw) => (d.graph.nodes[3].kind = ''), 'project.graph.nodes[3].kind'],
    ['node without id', (d: Raw) => delete d.graph.nodes[0].id, 'project.graph.nodes[0].id'],
    ['node id too long', (d: Raw) => (d.graph.nodes[0].id = 'x'.repeat(201)), 'project.graph.nodes[0].id'],
    ['node without name', (d: Raw) => delete d.graph.nodes[1].name, 'project.graph.nodes[1].name'],
    ['node without params', (d: Raw) => delete d.graph.nodes[1].params, 'project.graph.nodes[1].params'],
    ['node params a list', (d: Raw) => (d.graph.nodes[1].params = [3]), 'project.graph.nodes[1].params'],
    ['node parent a number', (d: Raw) => (d.graph.nodes[1].parent = 1), 'project.graph.nodes[1].parent'],
    [
      'duplicate node ids',
      (d: Raw) => (d.graph.nodes[4].id = d.graph.nodes[1].id),
      'project.graph.nodes[4].id',
    ],
    ['an edge id that is a node id', (d: Raw) => (d.graph.edges[0].id = 'inp'), 'project.graph.edges[0].id'],
    [
      'duplicate edge ids',
      (d: Raw) => (d.graph.edges[2].id = d.graph.edges[1].id),
      'project.graph.edges[2].id',
    ],
    [
      'a group id that is an edge id',
      (d: Raw) => (d.graph.groups[0].id = d.graph.edges[0].id),
      'project.graph.groups[0].id',
    ],
    [
      'param an object',
      (d: Raw) => (d.graph.nodes[1].params.kernel_size = { h: 3 }),
      'project.graph.nodes[1].params.kernel_size',
    ],
    [
      'param list with text',
      (d: Raw) => (d.graph.nodes[1].params.kernel_size = [3, 'x']),
      'project.graph.nodes[1].params.kernel_size[1]',
    ],
    [
      'param nested list',
      (d: Raw) => (d.graph.nodes[1].params.kernel_size = [[3]]),
      'project.graph.nodes[1].params.kernel_size[0]',
    ],
    [
      'group param an object',
      (d: Raw) => (d.graph.groups[0].block = { kind: 'Residual', params: { a: {} } }),
      'project.graph.groups[0].block.params.a',
    ],
    [
      'group block without kind',
      (d: Raw) => (d.graph.groups[1].block = { params: {} }),
      'project.graph.groups[1].block.kind',
    ],
    [
      'group collapsed as text',
      (d: Raw) => (d.graph.groups[1].collapsed = 'yes'),
      'project.graph.groups[1].collapsed',
    ],
    ['group without name', (d: Raw) => delete d.graph.groups[1].name, 'project.graph.groups[1].name'],
    ['edge without source', (d: Raw) => delete d.graph.edges[0].source, 'project.graph.edges[0].source'],
    ['edge port negative', (d: Raw) => (d.graph.edges[0].port = -1), 'project.graph.edges[0].port'],
    ['edge port fractional', (d: Raw) => (d.graph.edges[0].port = 0.5), 'project.graph.edges[0].port'],
    ['edge port as text', (d: Raw) => (d.graph.edges[0].port = '0'), 'project.graph.edges[0].port'],
    ['layout missing', (d: Raw) => delete d.layout, 'project.layout'],
    ['layout a list', (d: Raw) => (d.layout = []), 'project.layout'],
    ['layout entry not an object', (d: Raw) => (d.layout.inp = [1, 2]), 'project.layout.inp'],
    ['layout x missing', (d: Raw) => delete d.layout.inp.x, 'project.layout.inp.x'],
    ['layout y as text', (d: Raw) => (d.layout.inp.y = '3'), 'project.layout.inp.y'],
    ['dataset missing', (d: Raw) => delete d.dataset, 'project.dataset'],
    ['dataset unknown source', (d: Raw) => (d.dataset = { source: 'web' }), 'project.dataset.source'],
    [
      'dataset unknown built-in',
      (d: Raw) => (d.dataset = { source: 'builtin', name: 'cifar' }),
      'project.dataset.name',
    ],
    ['dataset path missing', (d: Raw) => (d.dataset = { source: 'path' }), 'project.dataset.path'],
    ['training missing', (d: Raw) => delete d.training, 'project.training'],
    ['training a number', (d: Raw) => (d.training = 5), 'project.training'],
    ['optimizer unknown', (d: Raw) => (d.training.optimizer = 'rmsprop'), 'project.training.optimizer'],
    ['lr zero', (d: Raw) => (d.training.lr = 0), 'project.training.lr'],
    ['lr as text', (d: Raw) => (d.training.lr = '1e-3'), 'project.training.lr'],
    ['momentum 1', (d: Raw) => (d.training.momentum = 1), 'project.training.momentum'],
    ['weight decay negative', (d: Raw) => (d.training.weight_decay = -0.1), 'project.training.weight_decay'],
    ['batch size fractional', (d: Raw) => (d.training.batch_size = 1.5), 'project.training.batch_size'],
    ['batch size zero', (d: Raw) => (d.training.batch_size = 0), 'project.training.batch_size'],
    ['epochs missing', (d: Raw) => delete d.training.epochs, 'project.training.epochs'],
    ['seed negative', (d: Raw) => (d.training.seed = -1), 'project.training.seed'],
    [
      'validation split 1',
      (d: Raw) => (d.training.validation_split = 1),
      'project.training.validation_split',
    ],
  ] as [string, (d: Raw) => unknown, string][])('%s -> %s', (_what, breakIt, path) => {
    const data = raw();
    breakIt(data);
    const e = refuseData(data);
    expect(e.path).toBe(path);
    expect(e.message.startsWith(`${path}: `)).toBe(true);
  });

  it('an infinite number (1e999) in a parameter or layout is refused', () => {
    const text = serializeProject(sample());
    const bigParam = text.replace('"p": 0.25', '"p": 1e999');
    expect(bigParam).not.toBe(text);
    const drop = sample().graph.nodes.findIndex((n) => n.id === 'drop');
    expect(refuse(bigParam).path).toBe(`project.graph.nodes[${drop}].params.p`);
    const data = raw();
    const bigLayout = JSON.stringify(data).replace('"inp":{"x":0,"y":40}', '"inp":{"x":1e999,"y":40}');
    expect(bigLayout).not.toBe(JSON.stringify(data));
    expect(refuse(bigLayout).path).toBe('project.layout.inp.x');
  });

  it('messages say what arrived', () => {
    const data = raw();
    data.graph.edges[0].port = '0';
    expect(refuseData(data).message).toContain('not string "0"');
    const d2 = raw();
    d2.training.optimizer = 'rmsprop';
    expect(refuseData(d2).message).toContain('"rmsprop"');
  });
});
