// The strict reader's tools for project files: the error that names the field at fault, and checks that each
// return the value in its TypeScript type or throw that error.

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

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function field<T>(
  obj: Record<string, Json>,
  key: string,
  path: string,
  check: (v: Json, p: string) => T,
): T {
  if (!(key in obj)) throw new ProjectError('is missing', `${path}.${key}`);
  return check(obj[key]!, `${path}.${key}`);
}

export function optional<T>(
  obj: Record<string, Json>,
  key: string,
  path: string,
  check: (v: Json, p: string) => T,
): T | undefined {
  return key in obj && obj[key] !== undefined ? check(obj[key]!, `${path}.${key}`) : undefined;
}

export const text = (v: Json, p: string): string => {
  if (typeof v !== 'string') throw new ProjectError(`must be text, not ${describe(v)}`, p);
  return v;
};
export const id = (v: Json, p: string): string => {
  const s = text(v, p);
  if (s.length === 0 || s.length > 200) throw new ProjectError('must be 1 to 200 characters', p);
  return s;
};
export const finite = (v: Json, p: string): number => {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new ProjectError(`must be a number, not ${describe(v)}`, p);
  return v;
};
export const integer =
  (min: number) =>
  (v: Json, p: string): number => {
    const n = finite(v, p);
    if (!Number.isInteger(n) || n < min) throw new ProjectError(`must be an integer >= ${min}, not ${n}`, p);
    return n;
  };
export const object = (v: Json, p: string): Record<string, Json> => {
  if (!isObject(v)) throw new ProjectError(`must be an object, not ${describe(v)}`, p);
  return v;
};
export const list = (v: Json, p: string): Json[] => {
  if (!Array.isArray(v)) throw new ProjectError(`must be a list, not ${describe(v)}`, p);
  return v;
};

export function describe(v: Json | undefined): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v).slice(0, 40)}`;
}
