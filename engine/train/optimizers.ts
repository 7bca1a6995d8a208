// Optimizers with torch 1.13's defaults and update rules: SGD, Adam and AdamW. They hold the
// hyperparameters and the step count; the update itself runs on the backend, once per parameter.

import type { Executor } from '../compile/backend.ts';
import type { AdamAttrs, SgdAttrs, UpdateName } from '../compile/ops.ts';
import type { ProgramCore } from '../compile/program.ts';

export interface Optimizer {
  /** Which update op it runs, so which optimizer state the program must hold (compile's `optimizer`). */
  readonly update: UpdateName;
  /** Learning rate for the next step; schedules change it between steps. */
  lr: number;
  /** Steps taken so far. */
  readonly steps: number;
  /** Updates every parameter that has a gradient, from the gradients of the last backward. */
  step(exec: Executor<ProgramCore>): void;
}

function checkProgram(exec: Executor<ProgramCore>, update: UpdateName): void {
  if (exec.program.optimizer !== update)
    throw new Error(
      `this program holds ${exec.program.optimizer ?? 'no'} optimizer state; compile it with optimizer: '${update}'`,
    );
}

export interface SgdOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
}

/** torch.optim.SGD(params, lr, momentum=0, dampening=0, weight_decay=0, nesterov=False). */
export class SGD implements Optimizer {
  readonly update = 'sgd';
  lr: number;
  steps = 0;
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;

  constructor(options: SgdOptions) {
    this.lr = options.lr;
    this.momentum = options.momentum ?? 0;
    this.dampening = options.dampening ?? 0;
    this.nesterov = options.nesterov ?? false;
    this.weightDecay = options.weightDecay ?? 0;
    if (!(this.lr >= 0)) throw new Error(`Invalid learning rate: ${this.lr}`);
    if (this.momentum < 0) throw new Error(`Invalid momentum value: ${this.momentum}`);
    if (this.weightDecay < 0) throw new Error(`Invalid weight_decay value: ${this.weightDecay}`);
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0))
      throw new Error('Nesterov momentum requires a momentum and zero dampening');
  }

  step(exec: Executor<ProgramCore>): void {
    checkProgram(exec, 'sgd');
    const attrs: SgdAttrs = {
      lr: this.lr,
      momentum: this.momentum,
      dampening: this.dampening,
      nesterov: this.nesterov,
      weightDecay: this.weightDecay,
      firstStep: this.steps === 0,
    };
    for (let i = 0; i < exec.program.updates.length; i++) exec.update('sgd', i, attrs);
    this.steps++;
  }
}

export interface AdamOptions {
  lr?: number;
  betas?: readonly [number, number];
  eps?: number;
  weightDecay?: number;
}

/** torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0), amsgrad off. */
export class Adam implements Optimizer {
  readonly update = 'adam';
  lr: number;
  steps = 0;
  readonly betas: readonly [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  protected readonly decoupled: boolean = false;

  constructor(options: AdamOptions = {}, defaultWeightDecay = 0) {
    this.lr = options.lr ?? 1e-3;
    this.betas = options.betas ?? [0.9, 0.999];
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? defaultWeightDecay;
    if (!(this.lr >= 0)) throw new Error(`Invalid learning rate: ${this.lr}`);
    if (!(this.eps >= 0)) throw new Error(`Invalid epsilon value: ${this.eps}`);
    for (const [i, beta] of this.betas.entries())
      if (!(beta >= 0 && beta < 1)) throw new Error(`Invalid beta parameter at index ${i}: ${beta}`);
    if (this.weightDecay < 0) throw new Error(`Invalid weight_decay value: ${this.weightDecay}`);
  }

  step(exec: Executor<ProgramCore>): void {
    checkProgram(exec, 'adam');
    this.steps++;
    const attrs: AdamAttrs = {
      lr: this.lr,
      beta1: this.betas[0],
      beta2: this.betas[1],
      eps: this.eps,
      weightDecay: this.weightDecay,
      decoupledWeightDecay: this.decoupled,
      step: this.steps,
    };
    for (let i = 0; i < exec.program.updates.length; i++) exec.update('adam', i, attrs);
  }
}

/** torch.optim.AdamW: Adam with decoupled weight decay (default 1e-2), p *= 1 - lr * weight_decay first. */
export class AdamW extends Adam {
  protected override readonly decoupled: boolean = true;

  constructor(options: AdamOptions = {}) {
    super(options, 1e-2);
  }
}
