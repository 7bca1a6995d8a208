// Command-line argument parsing: positionals and --flags (with values), nothing more.

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | true>;
}

/** `--name value`, `--name=value` and bare `--switch`; a flag listed in `switches` never takes a value. */
export function parseArgs(argv: readonly string[], switches: readonly string[] = []): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    if (eq > 0) {
      flags.set(arg.slice(2, eq), arg.slice(eq + 1));
      continue;
    }
    const name = arg.slice(2);
    const next = argv[i + 1];
    if (!switches.includes(name) && next !== undefined && !next.startsWith('--')) {
      flags.set(name, next);
      i++;
    } else flags.set(name, true);
  }
  return { positionals, flags };
}

export class UsageError extends Error {
  override name = 'UsageError';
}
