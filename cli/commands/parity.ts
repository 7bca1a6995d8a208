// `neurocanvas parity <graph> --weights FILE`: the same seeded input through the engine (CPU, eval mode) and
// through the exported model.py in PyTorch; prints the largest difference, exit 1 above 1e-4 x max(1, max|out|).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../engine/graph/analyze.ts';
import { generateModelCode } from '../../engine/io/pytorch-code/index.ts';
import { writeStateDict } from '../../engine/io/torch/write.ts';
import { type ParsedArgs, UsageError } from '../args.ts';
import { loadProject, parseShape, withInputShape } from '../load.ts';
import { engineOutputs, graphWeights, seededInput } from '../weights.ts';
import { nonStrictFlag, seedFlag } from './export.ts';
import { userFacing } from './train.ts';

export const PARITY_USAGE = `usage: neurocanvas parity <graph.json> --weights FILE [--input C,H,W] [--batch N] [--seed S]
  [--non-strict] [--python PATH]
  Runs one seeded random batch through NeuroCanvas (CPU, eval mode) and through model.py in PyTorch, and prints
  the largest difference. Exit 0: within 1e-4 x max(1, max|output|); 1: above it; 2: no PyTorch to compare with.`;

/** Relative tolerance: differences up to this times max(1, max|torch output|) are float32 rounding. */
export const PARITY_TOLERANCE = 1e-4;

/** Loads model.py and the weights, runs the input in eval mode, writes the outputs. Exit 3: no torch here. */
const SCRIPT = `import importlib.util, json, sys
try:
    import numpy as np
    import torch
except ImportError as error:
    print(f"cannot import torch: {error}", file=sys.stderr)
    sys.exit(3)
job = json.load(open(sys.argv[1]))
spec = importlib.util.spec_from_file_location("neurocanvas_model", job["model"])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
model = getattr(module, job["class"])()
model.load_state_dict(torch.load(job["weights"], weights_only=True), strict=True)
model.eval()
x = torch.from_numpy(np.fromfile(job["input"], dtype="<f4").reshape(job["shape"]))
with torch.no_grad():
    y = model(x)
y.numpy().astype("<f4").tofile(job["output"])
print(json.dumps({"torch": torch.__version__, "shape": list(y.shape)}))
`;

/** Pythons to try in order: --python, $NEUROCANVAS_PYTHON, then the usual names; the first with torch wins. */
function pythons(args: ParsedArgs): string[] {
  const chosen = args.flags.get('python');
  if (typeof chosen === 'string') return [chosen];
  const fromEnvironment = process.env.NEUROCANVAS_PYTHON;
  if (fromEnvironment) return [fromEnvironment];
  return process.platform === 'win32' ? ['python', 'py'] : ['python3', '/usr/bin/python3', 'python'];
}

export function parityCommand(args: ParsedArgs, out: (line: string) => void): Promise<number> {
  return userFacing(() => parityRun(args, out));
}

async function parityRun(args: ParsedArgs, out: (line: string) => void): Promise<number> {
  const nonStrict = nonStrictFlag(args);
  const file = args.positionals[0];
  const weightsFile = args.flags.get('weights');
  if (!file || typeof weightsFile !== 'string') throw new UsageError(PARITY_USAGE);
  const batch = Number(args.flags.get('batch') ?? 2);
  if (!Number.isInteger(batch) || batch < 1) throw new UsageError('--batch must be a positive whole number');
  const seed = seedFlag(args);
  let graph = loadProject(file).graph;
  const inputFlag = args.flags.get('input');
  if (typeof inputFlag === 'string') graph = withInputShape(graph, parseShape(inputFlag));
  const input = graph.nodes.find((n) => n.kind === 'Input');
  const shape = input ? analyze(graph).nodes.get(input.id)?.output : undefined;
  if (!shape) throw new UsageError(`${file}: the network needs one Input layer with a valid shape`);
  const { stateDict } = await graphWeights(graph, { file: weightsFile, strict: !nonStrict, seed }, out);
  const x = seededInput(shape, batch, seed);

  const started = performance.now();
  const ours = await engineOutputs(graph, stateDict, x, batch);
  const engineSeconds = (performance.now() - started) / 1000;

  const folder = mkdtempSync(join(tmpdir(), 'neurocanvas-parity-'));
  try {
    const job = {
      model: join(folder, 'model.py'),
      class: 'Model',
      weights: join(folder, 'model.pt'),
      input: join(folder, 'input.f32'),
      shape: [batch, ...shape],
      output: join(folder, 'output.f32'),
    };
    writeFileSync(job.model, generateModelCode(graph, { className: job.class }));
    writeFileSync(job.weights, writeStateDict(stateDict, { archiveName: 'model' }));
    writeFileSync(job.input, x);
    writeFileSync(join(folder, 'job.json'), JSON.stringify(job));
    writeFileSync(join(folder, 'parity.py'), SCRIPT);
    const tried: string[] = [];
    for (const python of pythons(args)) {
      const torchStarted = performance.now();
      const run = spawnSync(python, [join(folder, 'parity.py'), join(folder, 'job.json')], {
        encoding: 'utf8',
        maxBuffer: 16 * 1024 * 1024,
      });
      if (run.error || run.status === 3) {
        tried.push(`${python} (${run.error ? 'not found' : run.stderr.trim()})`);
        continue;
      }
      if (run.status !== 0)
        throw new UsageError(`PyTorch (${python}) could not run model.py:\n${run.stderr.trim()}`);
      const torchSeconds = (performance.now() - torchStarted) / 1000;
      const info = JSON.parse(run.stdout) as { torch: string; shape: number[] };
      const bytes = readFileSync(job.output);
      const theirs = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
      return report(ours, theirs, info, out, { engineSeconds, torchSeconds });
    }
    out(
      `parity needs PyTorch, and none was found (tried ${tried.join('; ')}). Install torch or pass --python PATH.`,
    );
    return 2;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

function report(
  ours: Float32Array,
  theirs: Float32Array,
  info: { torch: string; shape: number[] },
  out: (line: string) => void,
  seconds: { engineSeconds: number; torchSeconds: number },
): number {
  if (theirs.length !== ours.length) {
    out(
      `output sizes differ: NeuroCanvas ${ours.length} values, PyTorch ${theirs.length} (shape ${info.shape})`,
    );
    return 1;
  }
  let difference = 0;
  let scale = 0;
  for (let k = 0; k < ours.length; k++) {
    const d = Math.abs(ours[k]! - theirs[k]!);
    // NOTE: a NaN on either side must fail, so it is counted as an infinite difference.
    difference = Number.isNaN(d) ? Number.POSITIVE_INFINITY : Math.max(difference, d);
    scale = Math.max(scale, Math.abs(theirs[k]!));
  }
  const tolerance = PARITY_TOLERANCE * Math.max(1, scale);
  const ok = difference <= tolerance;
  out(
    `outputs ${info.shape.join(' x ')}: max abs difference ${difference.toExponential(3)} ` +
      `(tolerance ${tolerance.toExponential(1)}, max |output| ${scale.toPrecision(4)})`,
  );
  out(
    `NeuroCanvas CPU ${seconds.engineSeconds.toFixed(2)} s, PyTorch ${info.torch} ${seconds.torchSeconds.toFixed(2)} s`,
  );
  out(ok ? 'parity: ok' : 'parity: FAILED, the outputs differ by more than float32 rounding explains');
  return ok ? 0 : 1;
}
