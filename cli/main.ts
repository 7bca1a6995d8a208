// The neurocanvas command: dispatches to one function per subcommand; errors become one clear line.

import { ProjectError } from '../engine/io/project/project.ts';
import { parseArgs, UsageError } from './args.ts';
import { summary } from './commands/summary.ts';
import { validate } from './commands/validate.ts';

const HELP = `neurocanvas: draw, check, train and export convolutional networks

usage:
  neurocanvas summary <graph.json> [--input C,H,W]   table of layers, shapes, params, mult-adds
  neurocanvas validate <graph.json> [--input C,H,W]  list every problem; exit 1 if any error

<graph.json> is a NeuroCanvas project or a template, e.g. templates/lenet5.json`;

const COMMANDS: Record<string, (args: ReturnType<typeof parseArgs>, out: (line: string) => void) => number> =
  {
    summary,
    validate,
  };

export async function main(
  argv: readonly string[],
  out: (line: string) => void = console.log,
): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    out(HELP);
    return command ? 0 : 2;
  }
  const run = COMMANDS[command];
  if (!run) {
    console.error(`neurocanvas: unknown command "${command}"\n\n${HELP}`);
    return 2;
  }
  try {
    return run(parseArgs(rest), out);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ProjectError) {
      console.error(`neurocanvas ${command}: ${error.message}`);
      return 2;
    }
    throw error;
  }
}
