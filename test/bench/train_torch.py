#!/usr/bin/python3
# PyTorch CPU baseline for test/bench/train.bench.ts: LeNet-5 and the chapter's ResNet (3x32x32) trained with
# SGD (momentum 0.9) at batch 64 on random data, 2 threads; prints one JSON line of images/s (median of runs).
#
# Run: /usr/bin/python3 test/bench/train_torch.py [--lenet-steps 20] [--resnet-steps 3] [--runs 5]
#      or, for templates: ... --model ID=MODEL.PY:C,H,W [--model ...] [--steps 3] [--batch 64] [--runs 5]
#      (MODEL.PY: a generated model.py whose class is Model; prints {"torch", "threads", "models": {ID: images/s}})

import argparse
import importlib.util
import json
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(2)


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(400, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x.flatten(1))))))


class ResBlk(nn.Module):
    """The course's residual block: no ReLU after the add; a 1x1 conv + BN shortcut when channels differ."""

    def __init__(self, ch_in, ch_out):
        super().__init__()
        self.conv1 = nn.Conv2d(ch_in, ch_out, 3, 1, 1)
        self.bn1 = nn.BatchNorm2d(ch_out)
        self.conv2 = nn.Conv2d(ch_out, ch_out, 3, 1, 1)
        self.bn2 = nn.BatchNorm2d(ch_out)
        self.extra = nn.Sequential()
        if ch_out != ch_in:
            self.extra = nn.Sequential(nn.Conv2d(ch_in, ch_out, 1, 1), nn.BatchNorm2d(ch_out))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        return self.extra(x) + self.bn2(self.conv2(out))


class ResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Sequential(nn.Conv2d(3, 16, 3, 1, 1), nn.BatchNorm2d(16))
        self.blk1 = ResBlk(16, 16)
        self.blk2 = ResBlk(16, 32)
        self.outlayer = nn.Linear(32 * 32 * 32, 10)

    def forward(self, x):
        x = self.blk2(self.blk1(F.relu(self.conv1(x))))
        return self.outlayer(x.flatten(1))


def images_per_second(model, shape, steps, runs, batch=64):
    torch.manual_seed(0)
    x = torch.randn(batch, *shape)
    y = torch.randint(0, 10, (batch,))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step():
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()

    for _ in range(2):  # warm-up
        step()
    rates = []
    for _ in range(runs):
        start = time.perf_counter()
        for _ in range(steps):
            step()
        rates.append(steps * batch / (time.perf_counter() - start))
    return statistics.median(rates)


def template_model(spec):
    """ID=MODEL.PY:C,H,W -> (id, the Model of that file in train mode, (C, H, W))."""
    name, rest = spec.split("=", 1)
    path, shape = rest.rsplit(":", 1)
    loader = importlib.util.spec_from_file_location(f"bench_{name}", path)
    module = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(module)
    return name, module.Model().train(), tuple(int(v) for v in shape.split(","))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lenet-steps", type=int, default=20)
    parser.add_argument("--resnet-steps", type=int, default=3)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--model", action="append", default=[])
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--batch", type=int, default=64)
    args = parser.parse_args()
    if args.model:
        rates = {}
        for spec in args.model:
            name, model, shape = template_model(spec)
            rates[name] = images_per_second(model, shape, args.steps, args.runs, args.batch)
        print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "models": rates}))
        return
    result = {
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "lenet": images_per_second(LeNet().train(), (1, 28, 28), args.lenet_steps, args.runs),
        "resnet": images_per_second(ResNet().train(), (3, 32, 32), args.resnet_steps, args.runs),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
