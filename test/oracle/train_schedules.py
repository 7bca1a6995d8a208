# PyTorch oracle for learning-rate schedules: reads cases as JSON on stdin, steps torch 1.13's schedulers the way
# engine/train/schedule.ts says they are stepped, prints {name: [lr of every optimizer step]} as JSON.
# Run with Debian's /usr/bin/python3 (python3-torch 1.13).

import json
import sys
import warnings

import torch
from torch.optim import lr_scheduler as sched

warnings.filterwarnings('ignore')


def run(case):
    epochs, steps_per_epoch = case['epochs'], case['steps_per_epoch']
    total = epochs * steps_per_epoch
    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=case['lr'])
    per_step, per_epoch = [], []
    warmup = case.get('warmup')
    # Warm-up first, so it multiplies the group's lr before the main schedule is built (ChainedScheduler order).
    if warmup:
        per_step.append(sched.LinearLR(opt, start_factor=warmup['start_factor'], end_factor=1.0,
                                       total_iters=warmup['steps']))
    s = case['schedule']
    if s['kind'] == 'step':
        per_epoch.append(sched.StepLR(opt, step_size=s['step_size'], gamma=s['gamma']))
    elif s['kind'] == 'cosine':
        per_step.append(sched.CosineAnnealingLR(opt, T_max=total, eta_min=s['eta_min']))
    elif s['kind'] == 'onecycle':
        per_step.append(sched.OneCycleLR(opt, max_lr=case['lr'], total_steps=total, pct_start=s['pct_start'],
                                         div_factor=s['div_factor'], final_div_factor=s['final_div_factor'],
                                         anneal_strategy='cos', cycle_momentum=False, three_phase=False))
    lrs = []
    for epoch in range(epochs):
        for _ in range(steps_per_epoch):
            lrs.append(opt.param_groups[0]['lr'])
            opt.step()
            for scheduler in per_step:
                scheduler.step()
        for scheduler in per_epoch:
            scheduler.step()
    return lrs


def main():
    cases = json.load(sys.stdin)
    print(json.dumps({name: run(case) for name, case in cases.items()}))


if __name__ == '__main__':
    main()
