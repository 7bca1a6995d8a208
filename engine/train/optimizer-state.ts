// The optimizer a run's settings name, and its state in PyTorch's layout (`optimizer.state_dict()`): read from a
// bound program, written back on resume, and parsed from a checkpoint torch or NeuroCanvas saved.

import type { Executor } from '../compile/backend.ts';
import { numel, type Program } from '../compile/program.ts';
import { type HostTensor, isHostTensor, toNumbers } from '../io/tensor.ts';
import { PyOrderedDict, type PyValue } from '../io/torch/python-values.ts';
import type { OptimizerState } from '../io/torch/training-checkpoint.ts';
import { TrainingError } from './errors.ts';
import { Adam, AdamW, type Optimizer, SGD } from './optimizers.ts';
import type { RunSettings } from './settings.ts';

type OptimizerSettings = Pick<
  RunSettings,
  'optimizer' | 'lr' | 'momentum' | 'nesterov' | 'weight_decay' | 'betas' | 'eps'
>;

export function createOptimizer(s: OptimizerSettings): Optimizer {
  if (s.optimizer === 'sgd')
    return new SGD({ lr: s.lr, momentum: s.momentum, nesterov: s.nesterov, weightDecay: s.weight_decay });
  const options = { lr: s.lr, betas: s.betas, eps: s.eps, weightDecay: s.weight_decay };
  return s.optimizer === 'adam' ? new Adam(options) : new AdamW(options);
}

/** The program's trainable parameters in `model.parameters()` order, with their update (if they get a gradient). */
function parameters(exec: Executor<Program>) {
  const byKey = new Map(exec.program.updates.map((u) => [u.key, u]));
  return exec.program.state
    .filter((e) => e.role === 'parameter')
    .map((e) => ({ entry: e, update: byKey.get(e.key), shape: [...exec.program.tensors[e.tensor]!.shape] }));
}

const tensor = (shape: number[], data: Float32Array): HostTensor => ({ dtype: 'float32', shape, data });

/**
 * The optimizer's state as torch would save it. Before the first step every entry is null (torch holds no state
 * yet); a parameter that gets no gradient keeps null too.
 */
export async function readOptimizerState(
  exec: Executor<Program>,
  optimizer: Optimizer,
  s: OptimizerSettings,
): Promise<OptimizerState> {
  const read = async (id: number) => (await exec.read(id)) as Float32Array;
  const params = parameters(exec);
  if (s.optimizer === 'sgd') {
    const state = await Promise.all(
      params.map(async ({ update, shape }) =>
        optimizer.steps === 0 || !update
          ? null
          : {
              momentum_buffer:
                s.momentum === 0 ? null : tensor(shape, await read(update.state.momentum_buffer!)),
            },
      ),
    );
    const hyper = {
      lr: s.lr,
      momentum: s.momentum,
      dampening: 0,
      weight_decay: s.weight_decay,
      nesterov: s.nesterov,
    };
    return { kind: 'sgd', hyper, state };
  }
  const state = await Promise.all(
    params.map(async ({ update, shape }) =>
      optimizer.steps === 0 || !update
        ? null
        : {
            step: optimizer.steps,
            exp_avg: tensor(shape, await read(update.state.exp_avg!)),
            exp_avg_sq: tensor(shape, await read(update.state.exp_avg_sq!)),
          },
    ),
  );
  const hyper = { lr: s.lr, betas: s.betas, eps: s.eps, weight_decay: s.weight_decay, amsgrad: false };
  return { kind: s.optimizer, hyper, state };
}

/**
 * Writes saved optimizer state into a bound program and sets the optimizer's step count, so training continues:
 * Adam's from its saved per-parameter `step`, SGD's (which torch does not save) from `steps`.
 */
export function loadOptimizerState(
  exec: Executor<Program>,
  optimizer: Optimizer,
  saved: OptimizerState,
  steps: number,
): void {
  if ((saved.kind === 'sgd') !== (optimizer.update === 'sgd'))
    throw new TrainingError(
      `the checkpoint holds ${saved.kind} state, but this run uses ${optimizer.update}`,
    );
  const params = parameters(exec);
  if (saved.state.length !== params.length)
    throw new TrainingError(
      `the checkpoint's optimizer has ${saved.state.length} parameters, this network ${params.length}`,
    );
  const adamSteps = new Set<number>();
  params.forEach(({ entry, update }, i) => {
    const entryState = saved.state[i];
    if (!update || !entryState) return;
    const n = numel(exec.program.tensors[entry.tensor]!.shape);
    const put = (name: string, t: HostTensor | null) => {
      const id = update.state[name];
      if (id === undefined) return;
      const data = t ? Float32Array.from(toNumbers(t)) : new Float32Array(n);
      if (data.length !== n)
        throw new TrainingError(`${entry.key}: optimizer ${name} has ${data.length} values, not ${n}`);
      exec.write(id, data);
    };
    if ('exp_avg' in entryState) {
      put('exp_avg', entryState.exp_avg);
      put('exp_avg_sq', entryState.exp_avg_sq);
      adamSteps.add(entryState.step);
    } else put('momentum_buffer', entryState.momentum_buffer);
  });
  if (adamSteps.size > 1)
    throw new TrainingError(
      `the checkpoint's parameters were stepped different numbers of times: ${[...adamSteps].join(', ')}`,
    );
  // NOTE: Optimizer.steps is read-only to callers; restoring a run is the one place that sets it.
  (optimizer as { steps: number }).steps = adamSteps.size ? [...adamSteps][0]! : steps;
}

const dict = (v: PyValue | undefined): Map<unknown, PyValue> | null =>
  v instanceof Map ? (v as Map<unknown, PyValue>) : v instanceof PyOrderedDict ? v.entries : null;
const numberOf = (v: PyValue | undefined): number =>
  isHostTensor(v) ? toNumbers(v)[0]! : typeof v === 'bigint' ? Number(v) : (v as number);
const tensorOrNull = (v: PyValue | undefined): HostTensor | null => (isHostTensor(v) ? v : null);

/**
 * Parses torch's `optimizer.state_dict()` ({'state': {index: {...}}, 'param_groups': [{..., 'params': [...]}]})
 * into the form `loadOptimizerState` takes. `kind` says which optimizer saved it (Adam and AdamW look alike).
 */
export function optimizerStateFromPython(value: PyValue, kind: 'sgd' | 'adam' | 'adamw'): OptimizerState {
  const top = dict(value);
  const stateDict = dict(top?.get('state'));
  const groups = top?.get('param_groups');
  const group = Array.isArray(groups) ? dict(groups[0]) : null;
  const params = group?.get('params');
  if (!top || !stateDict || !group || !Array.isArray(params))
    throw new TrainingError('the optimizer entry is not a torch optimizer state_dict');
  const count = params.length;
  const entry = (i: number) => dict(stateDict.get(i) ?? stateDict.get(BigInt(i)));
  const lr = numberOf(group.get('lr'));
  const weight_decay = numberOf(group.get('weight_decay') ?? 0);
  if (kind === 'sgd') {
    const state = Array.from({ length: count }, (_, i) => {
      const e = entry(i);
      return e ? { momentum_buffer: tensorOrNull(e.get('momentum_buffer')) } : null;
    });
    const hyper = {
      lr,
      momentum: numberOf(group.get('momentum') ?? 0),
      dampening: numberOf(group.get('dampening') ?? 0),
      weight_decay,
      nesterov: group.get('nesterov') === true,
    };
    return { kind, hyper, state };
  }
  const state = Array.from({ length: count }, (_, i) => {
    const e = entry(i);
    const m = tensorOrNull(e?.get('exp_avg'));
    const v = tensorOrNull(e?.get('exp_avg_sq'));
    return e && m && v ? { step: numberOf(e.get('step')), exp_avg: m, exp_avg_sq: v } : null;
  });
  const betas = group.get('betas');
  const pair = (Array.isArray(betas) ? betas : ((betas as { items?: PyValue[] })?.items ?? [0.9, 0.999])).map(
    (b) => numberOf(b),
  ) as [number, number];
  const hyper = { lr, betas: pair, eps: numberOf(group.get('eps') ?? 1e-8), weight_decay, amsgrad: false };
  return { kind, hyper, state };
}
