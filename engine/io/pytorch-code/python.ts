// Python text helpers for the model.py exporter: identifiers, literals, attribute access, indentation.

const KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(
    ' ',
  ),
);

/** Names a generated variable or argument must not take: keywords, the imports, and builtins people know. */
const TAKEN = new Set([
  ...KEYWORDS,
  ...'self torch nn OrderedDict super object input id type len sum min max abs all any list dict set tuple str int float bool print range iter next map filter zip format hash open vars'.split(
    ' ',
  ),
]);

export function isIdentifier(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !KEYWORDS.has(name);
}

/** True when `name` can be a local variable or argument without shadowing something a reader relies on. */
export function isFreeName(name: string): boolean {
  return isIdentifier(name) && !TAKEN.has(name);
}

/** `self.conv1`, or `getattr(self, "0")` for a child whose name is not an identifier (a Sequential index). */
export function attribute(name: string): string {
  return isIdentifier(name) ? `self.${name}` : `getattr(self, ${quote(name)})`;
}

/** `self.conv1 = <value>`, or `self.add_module("0", <value>)` when the name is not an identifier. */
export function register(name: string, value: string): string {
  return isIdentifier(name) ? `self.${name} = ${value}` : `self.add_module(${quote(name)}, ${value})`;
}

export function quote(text: string): string {
  return JSON.stringify(text);
}

/** A number as Python writes it: 3, 0.001, 1e-05 is fine as 0.00001. */
export function pyNumber(value: number): string {
  if (Number.isNaN(value)) return 'float("nan")';
  if (!Number.isFinite(value)) return value > 0 ? 'float("inf")' : '-float("inf")';
  return String(value);
}

/** `conv1` -> `Conv1`, `layer_one` -> `LayerOne`: a class name from a module name. */
export function pascalCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

/** Indents every non-empty line of `text` by `levels` steps of four spaces. */
export function indent(text: string, levels = 1): string {
  const pad = '    '.repeat(levels);
  return text
    .split('\n')
    .map((line) => (line ? pad + line : line))
    .join('\n');
}

/** 61706 -> `61,706`. */
export function thousands(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
