// The neurocanvas command: dispatches to one function per subcommand; errors become one clear line.

import { ProjectError } from '../engine/io/project/project.ts';
import { parseArgs, UsageError } from './args.ts';
import { evaluateCommand } from './commands/evaluate.ts';
import { exportCommand } from './commands/export.ts';
import { parityCommand } from './commands/parity.ts';
import { summary } from './commands/summary.ts';
import { trainCommand } from './commands/train.ts';
import { validate } from './commands/validate.ts';

const HELP = `neurocanvas: draw, check, train and export convolutional networks

usage:
  neurocanvas summary <graph.json> [--input C,H,W]   table of layers, shapes, params, mult-adds
  neurocanvas validate <graph.json> [--input C,H,W]  list every problem; exit 1 if any error
  neurocanvas train <graph.json> --out DIR [--data PATH] [--epochs N] [--batch B] [--optimizer sgd|adam|adamw]
      [--lr X] [--augment flip,rotate=15,...] [--seed S] [--init weights.pt] [--resume DIR] [--backend auto|gpu|cpu]
                                                   train (default data: the built-in MNIST digits) and write
                                                   checkpoint.pt, model.pt, model.py, metrics and confusion matrix;
                                                   'neurocanvas train' alone lists every option
  neurocanvas evaluate <graph.json> --weights FILE [--data PATH]
                                                   accuracy and confusion matrix on the run's holdout
  neurocanvas export <graph.json> --format pt|safetensors|py|checkpoint|project [--weights FILE] [--out PATH]
                                                   weights (default: seeded PyTorch init) or model.py for PyTorch
  neurocanvas parity <graph.json> --weights FILE [--input C,H,W] [--batch N]
                                                   same input through NeuroCanvas and PyTorch; max difference

<graph.json> is a NeuroCanvas project or a template, e.g. templates/lenet5.json`;

const COMMANDS: Record<
  string,
  (args: ReturnType<typeof parseArgs>, out: (line: string) => void) => number | Promise<number>
> = {
  summary,
  validate,
  train: trainCommand,
  evaluate: evaluateCommand,
  export: exportCommand,
  parity: parityCommand,
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
    return await run(parseArgs(rest), out);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ProjectError) {
      console.error(`neurocanvas ${command}: ${error.message}`);
      return 2;
    }
    throw error;
  }
}
