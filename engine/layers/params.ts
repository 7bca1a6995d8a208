// Reading and checking parameter values against a layer's schema.

import { PROBLEMS } from '../problems.ts';
import type { LayerIssue, ParamSpec, Params, ParamValue } from './types.ts';

/** The schema's defaults, for a freshly dropped node. */
export function defaultParams(specs: Readonly<Record<string, ParamSpec>>): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const [name, spec] of Object.entries(specs)) out[name] = spec.default;
  return out;
}

/** Fills parameters the node does not set with the schema's defaults. */
export function withDefaults(specs: Readonly<Record<string, ParamSpec>>, params: Params): Params {
  return { ...defaultParams(specs), ...params };
}

export function int(params: Params, name: string): number {
  const v = params[name];
  if (typeof v !== 'number') throw new Error(`parameter ${name} is not a number (${String(v)})`);
  return v;
}

export function num(params: Params, name: string): number {
  return int(params, name);
}

export function bool(params: Params, name: string): boolean {
  return params[name] === true;
}

export function str(params: Params, name: string): string {
  return String(params[name]);
}

/** An int-or-pair parameter as [h, w]. */
export function pair(params: Params, name: string): [number, number] {
  const v = params[name];
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2) return [v[0] as number, v[1] as number];
  throw new Error(`parameter ${name} is not an int or a pair (${String(v)})`);
}

/** A list-of-numbers parameter; null and an empty list both read as none (null). */
export function floats(params: Params, name: string): number[] | null {
  const v = params[name];
  if (v === null || v === undefined) return null;
  if (!Array.isArray(v)) throw new Error(`parameter ${name} is not a list (${String(v)})`);
  return v.length ? [...(v as number[])] : null;
}

export function ints(params: Params, name: string): number[] {
  const v = params[name];
  if (!Array.isArray(v)) throw new Error(`parameter ${name} is not a list (${String(v)})`);
  return [...(v as number[])];
}

/** `5` for (5, 5), `(3, 5)` otherwise: how PyTorch code writes an int-or-pair. */
export function pyPair(v: readonly [number, number]): string {
  return v[0] === v[1] ? String(v[0]) : `(${v[0]}, ${v[1]})`;
}

/** `3x3`, or `3x5` for a non-square pair. */
export function dimsText(v: readonly [number, number]): string {
  return `${v[0]}x${v[1]}`;
}

function bad(param: string, message: string, expected: string, arrived: ParamValue | undefined): LayerIssue {
  return {
    code: PROBLEMS.badParam.code,
    param,
    message,
    expected,
    arrived: arrived === undefined ? 'nothing' : JSON.stringify(arrived),
  };
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

/** Checks every value against its spec; returns the first problem, or null when all fit. */
export function checkParams(specs: Readonly<Record<string, ParamSpec>>, params: Params): LayerIssue | null {
  for (const name of Object.keys(params)) {
    if (!(name in specs))
      return bad(name, `Unknown parameter "${name}".`, Object.keys(specs).join(', '), name);
  }
  for (const [name, spec] of Object.entries(specs)) {
    const v = params[name];
    switch (spec.type) {
      case 'int': {
        if (v === 'auto' && spec.auto) break;
        const range = `an integer${spec.min !== undefined ? ` >= ${spec.min}` : ''}${spec.max !== undefined ? ` and <= ${spec.max}` : ''}${spec.auto ? ' or auto' : ''}`;
        if (!isInt(v)) return bad(name, `${name} must be ${range}.`, range, v);
        if (spec.min !== undefined && v < spec.min)
          return bad(name, `${name} must be at least ${spec.min}.`, range, v);
        if (spec.max !== undefined && v > spec.max)
          return bad(name, `${name} must be at most ${spec.max}.`, range, v);
        break;
      }
      case 'float': {
        if (v === null && spec.nullable) break;
        const range = `a number${spec.min !== undefined ? ` >= ${spec.min}` : ''}${spec.max !== undefined ? ` and <= ${spec.max}` : ''}`;
        if (typeof v !== 'number' || !Number.isFinite(v))
          return bad(name, `${name} must be ${range}.`, range, v);
        if (spec.min !== undefined && v < spec.min)
          return bad(name, `${name} must be at least ${spec.min}.`, range, v);
        if (spec.max !== undefined && v > spec.max)
          return bad(name, `${name} must be at most ${spec.max}.`, range, v);
        break;
      }
      case 'bool':
        if (typeof v !== 'boolean') return bad(name, `${name} must be true or false.`, 'true or false', v);
        break;
      case 'enum':
        if (typeof v !== 'string' || !spec.options.includes(v))
          return bad(name, `${name} must be one of ${spec.options.join(', ')}.`, spec.options.join(' | '), v);
        break;
      case 'pair': {
        if (v === null && spec.nullable) break;
        const expected = `an integer >= ${spec.min} or a pair of them`;
        const ok =
          (isInt(v) && v >= spec.min) ||
          (Array.isArray(v) && v.length === 2 && v.every((x) => isInt(x) && x >= spec.min));
        if (!ok) return bad(name, `${name} must be ${expected}.`, expected, v);
        break;
      }
      case 'ints': {
        const expected = `a list of ${spec.minLength}-${spec.maxLength} integers >= ${spec.min}`;
        const ok =
          Array.isArray(v) &&
          v.length >= spec.minLength &&
          v.length <= spec.maxLength &&
          v.every((x) => isInt(x) && x >= spec.min);
        if (!ok) return bad(name, `${name} must be ${expected}.`, expected, v);
        break;
      }
      case 'floats': {
        if (v === null && spec.nullable) break;
        const expected = `a list of numbers${spec.min !== undefined ? ` >= ${spec.min}` : ''}${spec.nullable ? ', or None' : ''}`;
        const ok =
          Array.isArray(v) &&
          v.every(
            (x) => typeof x === 'number' && Number.isFinite(x) && (spec.min === undefined || x >= spec.min),
          );
        if (!ok) return bad(name, `${name} must be ${expected}.`, expected, v);
        break;
      }
    }
  }
  return null;
}
