# PyTorch oracle for run folders: model.pt loads with weights_only=True into the hand-written network,
# checkpoint.pt's optimizer state loads into torch.optim.Adam, and the holdout (.npy, as the engine fed it) gives
# the accuracy and loss the engine reported. `python3 train_checkpoint.py DIR` prints JSON.
# Run with Debian's /usr/bin/python3 (python3-torch 1.13).

import json
import os
import sys

import numpy as np
import torch
from torch import nn


class Net(nn.Module):
    """Input (1, 8, 8): conv 1->4 (3x3, padding 1), BatchNorm2d, ReLU, max-pool 2, flatten, linear 64->3."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(64, 3)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(torch.relu(self.bn(self.conv(x)))), 1))


def main():
    folder = sys.argv[1]
    net = Net()
    net.load_state_dict(torch.load(os.path.join(folder, 'model.pt'), weights_only=True))
    checkpoint = torch.load(os.path.join(folder, 'checkpoint.pt'), weights_only=False)
    optimizer = torch.optim.Adam(net.parameters())
    optimizer.load_state_dict(checkpoint['optimizer'])
    steps = sorted({float(s['step']) for s in optimizer.state.values()})
    x = torch.from_numpy(np.load(os.path.join(folder, 'holdout_x.npy')))
    y = torch.from_numpy(np.load(os.path.join(folder, 'holdout_y.npy')))
    net.eval()
    with torch.no_grad():
        logits = net(x)
    print(json.dumps({
        'accuracy': float((logits.argmax(1) == y).float().mean()),
        'loss': float(nn.functional.cross_entropy(logits, y)),
        'adam_steps': steps,
        'lr': optimizer.param_groups[0]['lr'],
        'epoch': checkpoint['epoch'],
        'step': checkpoint['step'],
        'same_weights': all(torch.equal(checkpoint['model'][k], v) for k, v in net.state_dict().items()),
    }))


if __name__ == '__main__':
    main()
