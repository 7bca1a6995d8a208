// The project file: graph, layout, data set and training settings as versioned JSON; strict loading.

import type { Graph } from '../../graph/types.ts';
import type { ParamValue } from '../../layers/types.ts';

export const PROJECT_FORMAT = 'neurocanvas-project';
export const PROJECT_VERSION = 1;

export type DatasetRef =
  | { source: 'builtin'; name: 'mnist' }
  /** A file or folder on disk, read by a data set reader. */
  | { source: 'path'; path: string };

/**
 * How the learning rate moves. `step` changes once per epoch (StepLR stepped each epoch); `cosine` and
 * `onecycle` change every optimizer step over the whole run (T_max / total_steps = epochs x steps per epoch).
 */
export type LrSchedule =
  | { kind: 'constant' }
  /** torch.optim.lr_scheduler.StepLR(step_size, gamma), stepped once per epoch. */
  | { kind: 'step'; step_size: number; gamma: number }
  /** CosineAnnealingLR(T_max = total steps, eta_min), stepped once per optimizer step. */
  | { kind: 'cosine'; eta_min: number }
  /** OneCycleLR(max_lr = lr, total_steps, pct_start, div_factor, final_div_factor), cos anneal, no momentum cycling. */
  | { kind: 'onecycle'; pct_start: number; div_factor: number; final_div_factor: number };

export interface TrainingSettings {
  optimizer: 'sgd' | 'adam' | 'adamw';
  lr: number;
  momentum: number;
  weight_decay: number;
  batch_size: number;
  epochs: number;
  seed: number;
  validation_split: number;
  /** The learning-rate schedule; absent means constant. */
  schedule?: LrSchedule;
}

export interface Project {
  format: typeof PROJECT_FORMAT;
  version: number;
  name: string;
  description: string;
  graph: Graph;
  /** Canvas position of each node (and group frame), by id. */
  layout: Record<string, { x: number; y: number }>;
  dataset: DatasetRef | null;
  training: TrainingSettings | null;
}

export const DEFAULT_TRAINING: TrainingSettings = {
  optimizer: 'adam',
  lr: 1e-3,
  momentum: 0.9,
  weight_decay: 0,
  batch_size: 64,
  epochs: 5,
  seed: 0,
  validation_split: 0.1,
};

export function newProject(
  name: string,
  graph: Graph,
  fields: Partial<Omit<Project, 'format' | 'version' | 'graph'>> = {},
): Project {
  return {
    format: PROJECT_FORMAT,
    version: PROJECT_VERSION,
    name,
    description: fields.description ?? '',
    graph,
    layout: fields.layout ?? {},
    dataset: fields.dataset ?? null,
    training: fields.training ?? null,
  };
}

/** Why a file is not a project this version can open. `path` points at the field at fault. */
export class ProjectError extends Error {
  override name = 'ProjectError';
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(path ? `${path}: ${message}` : message);
  }
}

/** JSON text with a stable key order, so saving the same project twice gives the same bytes. */
export function serializeProject(project: Project): string {
  const graph = project.graph;
  const ordered: Project = {
    format: PROJECT_FORMAT,
    version: PROJECT_VERSION,
    name: project.name,
    description: project.description,
    graph: {
      nodes: graph.nodes.map((n) => ({
        id: n.id,
        kind: n.kind,
        name: n.name,
        params: n.params,
        ...(n.parent !== undefined ? { parent: n.parent } : {}),
      })),
      edges: graph.edges.map((e) => ({ id: e.id, source: e.source, target: e.target, port: e.port })),
      groups: graph.groups.map((g) => ({
        id: g.id,
        name: g.name,
        ...(g.parent !== undefined ? { parent: g.parent } : {}),
        ...(g.collapsed !== undefined ? { collapsed: g.collapsed } : {}),
        ...(g.block !== undefined ? { block: g.block } : {}),
      })),
    },
    layout: project.layout,
    dataset: project.dataset,
    training: project.training,
  };
  return `${JSON.stringify(ordered, null, 1)}\n`;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function field<T>(obj: Record<string, Json>, key: string, path: string, check: (v: Json, p: string) => T): T {
  if (!(key in obj)) throw new ProjectError('is missing', `${path}.${key}`);
  return check(obj[key]!, `${path}.${key}`);
}

function optional<T>(
  obj: Record<string, Json>,
  key: string,
  path: string,
  check: (v: Json, p: string) => T,
): T | undefined {
  return key in obj && obj[key] !== undefined ? check(obj[key]!, `${path}.${key}`) : undefined;
}

const text = (v: Json, p: string): string => {
  if (typeof v !== 'string') throw new ProjectError(`must be text, not ${describe(v)}`, p);
  return v;
};
const id = (v: Json, p: string): string => {
  const s = text(v, p);
  if (s.length === 0 || s.length > 200) throw new ProjectError('must be 1 to 200 characters', p);
  return s;
};
const finite = (v: Json, p: string): number => {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new ProjectError(`must be a number, not ${describe(v)}`, p);
  return v;
};
const integer =
  (min: number) =>
  (v: Json, p: string): number => {
    const n = finite(v, p);
    if (!Number.isInteger(n) || n < min) throw new ProjectError(`must be an integer >= ${min}, not ${n}`, p);
    return n;
  };
const object = (v: Json, p: string): Record<string, Json> => {
  if (!isObject(v)) throw new ProjectError(`must be an object, not ${describe(v)}`, p);
  return v;
};
const list = (v: Json, p: string): Json[] => {
  if (!Array.isArray(v)) throw new ProjectError(`must be a list, not ${describe(v)}`, p);
  return v;
};

function describe(v: Json | undefined): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v).slice(0, 40)}`;
}

function paramValue(v: Json, p: string): ParamValue {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return finite(v, p);
  if (Array.isArray(v)) return v.map((x, i) => finite(x, `${p}[${i}]`));
  throw new ProjectError('must be a number, text, true/false, null or a list of numbers', p);
}

function graphOf(v: Json, p: string): Graph {
  const g = object(v, p);
  const seen = new Set<string>();
  const unique = (s: string, at: string) => {
    if (seen.has(s)) throw new ProjectError(`id "${s}" is used twice`, at);
    seen.add(s);
    return s;
  };
  const nodes = field(g, 'nodes', p, list).map((raw, i) => {
    const at = `${p}.nodes[${i}]`;
    const n = object(raw, at);
    const params = field(n, 'params', at, object);
    const parent = optional(n, 'parent', at, id);
    return {
      id: unique(field(n, 'id', at, id), `${at}.id`),
      kind: field(n, 'kind', at, id),
      name: field(n, 'name', at, text),
      params: Object.fromEntries(
        Object.entries(params).map(([k, pv]) => [k, paramValue(pv, `${at}.params.${k}`)]),
      ),
      ...(parent !== undefined ? { parent } : {}),
    };
  });
  const edges = field(g, 'edges', p, list).map((raw, i) => {
    const at = `${p}.edges[${i}]`;
    const e = object(raw, at);
    return {
      id: unique(field(e, 'id', at, id), `${at}.id`),
      source: field(e, 'source', at, id),
      target: field(e, 'target', at, id),
      port: field(e, 'port', at, integer(0)),
    };
  });
  const groups = field(g, 'groups', p, list).map((raw, i) => {
    const at = `${p}.groups[${i}]`;
    const gr = object(raw, at);
    const parent = optional(gr, 'parent', at, id);
    const collapsed = optional(gr, 'collapsed', at, (x, q) => {
      if (typeof x !== 'boolean') throw new ProjectError('must be true or false', q);
      return x;
    });
    const block = optional(gr, 'block', at, (x, q) => {
      const b = object(x, q);
      const params = field(b, 'params', q, object);
      return {
        kind: field(b, 'kind', q, id),
        params: Object.fromEntries(
          Object.entries(params).map(([k, pv]) => [k, paramValue(pv, `${q}.params.${k}`)]),
        ),
      };
    });
    return {
      id: unique(field(gr, 'id', at, id), `${at}.id`),
      name: field(gr, 'name', at, text),
      ...(parent !== undefined ? { parent } : {}),
      ...(collapsed !== undefined ? { collapsed } : {}),
      ...(block !== undefined ? { block } : {}),
    };
  });
  return { nodes, edges, groups };
}

function datasetOf(v: Json, p: string): DatasetRef | null {
  if (v === null) return null;
  const d = object(v, p);
  const source = field(d, 'source', p, text);
  if (source === 'builtin') {
    const name = field(d, 'name', p, text);
    if (name !== 'mnist')
      throw new ProjectError(`unknown built-in data set "${name}" (known: mnist)`, `${p}.name`);
    return { source, name };
  }
  if (source === 'path') return { source, path: field(d, 'path', p, text) };
  throw new ProjectError(`must be "builtin" or "path", not "${source}"`, `${p}.source`);
}

function trainingOf(v: Json, p: string): TrainingSettings | null {
  if (v === null) return null;
  const t = object(v, p);
  const optimizer = field(t, 'optimizer', p, text);
  if (optimizer !== 'sgd' && optimizer !== 'adam' && optimizer !== 'adamw')
    throw new ProjectError(`must be sgd, adam or adamw, not "${optimizer}"`, `${p}.optimizer`);
  const fraction = (x: Json, q: string) => {
    const n = finite(x, q);
    if (n < 0 || n >= 1) throw new ProjectError(`must be at least 0 and below 1, not ${n}`, q);
    return n;
  };
  const positive = (x: Json, q: string) => {
    const n = finite(x, q);
    if (n <= 0) throw new ProjectError(`must be above 0, not ${n}`, q);
    return n;
  };
  return {
    optimizer,
    lr: field(t, 'lr', p, positive),
    momentum: field(t, 'momentum', p, fraction),
    weight_decay: field(t, 'weight_decay', p, (x, q) => {
      const n = finite(x, q);
      if (n < 0) throw new ProjectError(`must be at least 0, not ${n}`, q);
      return n;
    }),
    batch_size: field(t, 'batch_size', p, integer(1)),
    epochs: field(t, 'epochs', p, integer(1)),
    seed: field(t, 'seed', p, integer(0)),
    validation_split: field(t, 'validation_split', p, fraction),
    ...(t.schedule !== undefined ? { schedule: scheduleOf(t.schedule, `${p}.schedule`) } : {}),
  };
}

function scheduleOf(v: Json, p: string): LrSchedule {
  const s = object(v, p);
  const kind = field(s, 'kind', p, text);
  const num = (key: string) => field(s, key, p, finite);
  switch (kind) {
    case 'constant':
      return { kind };
    case 'step':
      return { kind, step_size: field(s, 'step_size', p, integer(1)), gamma: num('gamma') };
    case 'cosine':
      return { kind, eta_min: num('eta_min') };
    case 'onecycle':
      return {
        kind,
        pct_start: num('pct_start'),
        div_factor: num('div_factor'),
        final_div_factor: num('final_div_factor'),
      };
    default:
      throw new ProjectError(`must be constant, step, cosine or onecycle, not "${kind}"`, `${p}.kind`);
  }
}

/** Parses and checks a project file; throws a ProjectError naming the field at fault. Never a partial load. */
export function parseProject(source: string): Project {
  let raw: Json;
  try {
    raw = JSON.parse(source) as Json;
  } catch (error) {
    throw new ProjectError(
      `The file is not valid JSON (${(error as Error).message}). It may be truncated or not a NeuroCanvas project.`,
      '',
    );
  }
  const top = object(raw, 'project');
  if (top.format !== PROJECT_FORMAT)
    throw new ProjectError(
      `This is not a NeuroCanvas project (format is ${describe(top.format)}, expected "${PROJECT_FORMAT}").`,
      '',
    );
  const version = field(top, 'version', 'project', integer(1));
  if (version > PROJECT_VERSION)
    throw new ProjectError(
      `This project was saved by a newer NeuroCanvas (format version ${version}); this version opens up to ${PROJECT_VERSION}. Update NeuroCanvas to open it.`,
      '',
    );
  const layoutRaw = field(top, 'layout', 'project', object);
  // NOTE: fromEntries defines own properties, so even a node id "__proto__" keeps its position.
  const layout: Project['layout'] = Object.fromEntries(
    Object.entries(layoutRaw).map(([key, value]) => {
      const at = `project.layout.${key}`;
      const pos = object(value, at);
      return [key, { x: field(pos, 'x', at, finite), y: field(pos, 'y', at, finite) }];
    }),
  );
  return {
    format: PROJECT_FORMAT,
    version: PROJECT_VERSION,
    name: field(top, 'name', 'project', text),
    description: optional(top, 'description', 'project', text) ?? '',
    graph: field(top, 'graph', 'project', graphOf),
    layout,
    dataset: field(top, 'dataset', 'project', datasetOf),
    training: field(top, 'training', 'project', trainingOf),
  };
}
