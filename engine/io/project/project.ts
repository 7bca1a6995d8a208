// The project file: graph, layout, data set and training settings as versioned JSON; strict loading.

import type { AugmentOptions } from '../../data/augment.ts';
import type { Graph } from '../../graph/types.ts';
import type { ParamValue } from '../../layers/types.ts';
import {
  describe,
  field,
  finite,
  id,
  integer,
  type Json,
  list,
  object,
  optional,
  ProjectError,
  text,
} from './json.ts';
import { RUN_FIELDS, runFieldsJson, runFieldsOf } from './training.ts';

export { ProjectError };

export const PROJECT_FORMAT = 'neurocanvas-project';
/**
 * The newest format this version reads and writes. Version 2 added augmentation, normalisation, warm-up,
 * clipping and the stop rules to `training`; a file that uses none of them is still written as version 1, so
 * an older NeuroCanvas opens it (and refuses, with "update", a file whose settings it would drop).
 */
export const PROJECT_VERSION = 2;

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

/** Per-channel (x - mean) / std after scaling to 0-1; 'dataset' = the training images' own statistics. */
export type Normalization = { mean: number[]; std: number[] } | 'dataset' | null;

/** LinearLR(start_factor, end_factor = 1, total_iters = steps), per optimizer step, multiplied into any schedule. */
export interface WarmupSettings {
  steps: number;
  start_factor: number;
}

/** Stop when the monitored loss (validation, or training without a holdout) has not improved for `patience` epochs. */
export interface EarlyStoppingSettings {
  patience: number;
  /** An epoch improves on the best so far only when its loss is lower by more than this. */
  min_delta: number;
}

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
  // Version 2: each absent or null means off (the engine's default).
  /** Training batches only (engine/data/augment.ts); validation images are never augmented. */
  augment?: AugmentOptions | null;
  normalize?: Normalization;
  warmup?: WarmupSettings | null;
  /** clip_grad_norm_(parameters, max_norm) before every update. */
  clip_grad_norm?: number | null;
  early_stopping?: EarlyStoppingSettings | null;
  /** Stop after the first epoch whose validation accuracy (0-1) reaches this. */
  target_accuracy?: number | null;
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
    training: project.training && trainingJson(project.training),
  };
  if (!RUN_FIELDS.some((key) => ordered.training?.[key] !== undefined)) ordered.version = 1;
  return `${JSON.stringify(ordered, null, 1)}\n`;
}

/** The training settings in a fixed key order, without fields that are off (absent and null read the same). */
function trainingJson(t: TrainingSettings): TrainingSettings {
  return {
    optimizer: t.optimizer,
    lr: t.lr,
    momentum: t.momentum,
    weight_decay: t.weight_decay,
    batch_size: t.batch_size,
    epochs: t.epochs,
    seed: t.seed,
    validation_split: t.validation_split,
    ...(t.schedule !== undefined ? { schedule: t.schedule } : {}),
    ...runFieldsJson(t),
  };
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
    ...runFieldsOf(t, p),
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
