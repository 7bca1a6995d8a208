# PyTorch oracle for gradient clipping: a tiny conv + linear net with seeded weights and batch, one backward,
# then torch.nn.utils.clip_grad_norm_ at each max_norm given on the command line. Prints JSON on stdout.
# Run with Debian's /usr/bin/python3 (python3-torch 1.13).

import json
import sys

import torch
from torch import nn


class Net(nn.Module):
    """Input (1, 6, 6): conv 1->3 (3x3), ReLU, flatten, linear 48->4. Keys conv.*, fc.*."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 3, 3)
        self.fc = nn.Linear(3 * 4 * 4, 4)

    def forward(self, x):
        return self.fc(torch.relu(self.conv(x)).flatten(1))


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def main():
    torch.manual_seed(3)
    net = Net()
    x = torch.randn(5, 1, 6, 6) * 3
    y = torch.tensor([0, 3, 1, 2, 3])
    out = {
        'weights': {k: {'shape': list(v.shape), 'values': flat(v)} for k, v in net.state_dict().items()},
        'input': flat(x),
        'labels': y.tolist(),
        'cases': [],
    }
    for max_norm in [float(a) for a in sys.argv[1:]]:
        net.zero_grad()
        nn.functional.cross_entropy(net(x), y).backward()
        total = torch.nn.utils.clip_grad_norm_(net.parameters(), max_norm)
        out['cases'].append({
            'max_norm': max_norm,
            'total_norm': float(total),
            'grads': {k: flat(p.grad) for k, p in net.named_parameters()},
        })
    print(json.dumps(out))


if __name__ == '__main__':
    main()
