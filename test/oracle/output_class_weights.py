#!/usr/bin/python3
# PyTorch's side of test/oracle/output-class-weights.test.ts: the Output layer's loss with class weights and label
# smoothing. Loads the generated model.py, takes its loss_function() and, independently, builds
# nn.CrossEntropyLoss(weight=..., label_smoothing=...) from the manifest; one forward and backward on a seeded batch.
#
# Run with Debian's torch: /usr/bin/python3 test/oracle/output_class_weights.py MANIFEST.json
# The manifest: {"model": model.py, "features": F, "batch": N, "labels": [...], "class_weights": [...],
# "label_smoothing": eps}. Prints JSON: state (the init state_dict), images, both losses, and the gradients of the
# logits and of every parameter.

import importlib.util
import json
import sys

import torch
from torch import nn


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def main():
    with open(sys.argv[1]) as f:
        m = json.load(f)
    spec = importlib.util.spec_from_file_location("model", m["model"])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    torch.manual_seed(11)
    model = module.Model()
    images = torch.randn(m["batch"], m["features"], generator=torch.Generator().manual_seed(12)) * 2
    labels = torch.tensor(m["labels"], dtype=torch.long)
    reference = nn.CrossEntropyLoss(
        weight=torch.tensor(m["class_weights"], dtype=torch.float32), label_smoothing=m["label_smoothing"]
    )
    exported = module.loss_function()
    logits = model(images)
    logits.retain_grad()
    loss = reference(logits, labels)
    loss.backward()
    print(json.dumps({
        "torch": torch.__version__,
        "state": {k: flat(v) for k, v in model.state_dict().items()},
        "images": flat(images),
        "loss": float(loss),
        "exported_loss": float(exported(logits.detach(), labels)),
        "exported_weight": flat(exported.weight),
        "exported_label_smoothing": exported.label_smoothing,
        "logits_grad": flat(logits.grad),
        "grads": {k: flat(p.grad) for k, p in model.named_parameters()},
    }))


if __name__ == "__main__":
    main()
