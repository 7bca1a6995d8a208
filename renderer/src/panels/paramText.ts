// Turning parameter values into field text and back, per schema type (int, float, pair, ints, floats).

import type { ParamSpec, ParamValue } from '../../../engine/layers/types.ts';

export type Parsed = { ok: true; value: ParamValue } | { ok: false; message: string };

export function formatValue(value: ParamValue | undefined): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.join(', ');
  return String(value);
}

const numbers = (text: string) =>
  text
    .split(/[\s,x×()[\]]+/)
    .filter(Boolean)
    .map(Number);

/** Reads a text field for a parameter of type int, float, pair, ints or floats. */
export function parseValue(spec: ParamSpec, text: string): Parsed {
  const t = text.trim();
  switch (spec.type) {
    case 'int': {
      if (t.toLowerCase() === 'auto' && spec.auto) return { ok: true, value: 'auto' };
      const n = Number(t);
      if (t === '' || !Number.isInteger(n)) return { ok: false, message: 'Type a whole number.' };
      return { ok: true, value: n };
    }
    case 'float': {
      if (t === '' && spec.nullable) return { ok: true, value: null };
      const n = Number(t);
      if (t === '' || !Number.isFinite(n)) return { ok: false, message: 'Type a number, like 0.5 or 1e-5.' };
      return { ok: true, value: n };
    }
    case 'pair': {
      if (t === '' && spec.nullable) return { ok: true, value: null };
      const ns = numbers(t);
      if (ns.length === 0 || ns.length > 2 || ns.some((n) => !Number.isInteger(n)))
        return { ok: false, message: 'Type one whole number, or two for height and width (3, 5).' };
      return { ok: true, value: ns.length === 1 || ns[0] === ns[1] ? ns[0]! : [ns[0]!, ns[1]!] };
    }
    case 'ints': {
      const ns = numbers(t);
      if (ns.length === 0 || ns.some((n) => !Number.isInteger(n)))
        return { ok: false, message: 'Type whole numbers separated by commas, like 1, 28, 28.' };
      return { ok: true, value: ns };
    }
    case 'floats': {
      if (t === '' && spec.nullable) return { ok: true, value: null };
      const ns = t
        .split(/[\s,()[\]]+/)
        .filter(Boolean)
        .map(Number);
      if (ns.length === 0 || ns.some((n) => !Number.isFinite(n)))
        return {
          ok: false,
          message: `Type numbers separated by commas, like 1, 0.5, 2${spec.nullable ? ', or clear the field for None' : ''}.`,
        };
      return { ok: true, value: ns };
    }
    default:
      return { ok: true, value: t };
  }
}
