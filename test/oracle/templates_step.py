#!/usr/bin/python3
# PyTorch's side of test/gpu/templates-step.test.ts: one SGD step of each small CIFAR template's generated
# model.py (engine/io/pytorch-code) from torch's default init, on a seeded batch of 2.
#
# Run with Debian's torch: /usr/bin/python3 test/oracle/templates_step.py MANIFEST.json
# The manifest: {"out": folder, "models": {id: {"file": model.py, "input": [C, H, W]}}, "batch": 2,
# "sgd": {"lr", "momentum", "weight_decay"}}. Writes folder/ID.safetensors with images, labels, loss,
# init.KEY and sgd.KEY (int64 counters as int32, the engine's dtype), and folder/ID.json with the keys.

import importlib.util
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

from make_fixtures import Store  # noqa: E402  (also pins the SIMD paths, one thread, deterministic algorithms)

import torch  # noqa: E402
import torch.nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def engine_dtype(t):
    return t.to(torch.int32) if t.dtype == torch.int64 else t


def step(model_file, input_shape, batch, sgd, seed):
    spec = importlib.util.spec_from_file_location(f"model_{seed}", model_file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    torch.manual_seed(seed)
    model = module.Model()
    # NOTE: torch cannot draw the engine's dropout mask (another generator), so dropout is off on both sides.
    for m in model.modules():
        if isinstance(m, torch.nn.Dropout):
            m.p = 0.0
    g = torch.Generator().manual_seed(seed + 1)
    images = torch.randn(batch, *input_shape, generator=g)
    labels = torch.randint(0, 10, (batch,), generator=g, dtype=torch.int32)
    store = Store()
    store.put("images", images)
    store.put("labels", labels)
    keys = list(model.state_dict().keys())
    for k, v in model.state_dict().items():
        store.put(f"init.{k}", engine_dtype(v))
    model.train()
    opt = torch.optim.SGD(model.parameters(), **sgd)
    opt.zero_grad()
    loss = F.cross_entropy(model(images), labels.long())
    loss.backward()
    opt.step()
    store.put("loss", loss)
    for k, v in model.state_dict().items():
        store.put(f"sgd.{k}", engine_dtype(v))
    return store, keys


def main():
    with open(sys.argv[1]) as f:
        manifest = json.load(f)
    for i, (name, entry) in enumerate(sorted(manifest["models"].items())):
        store, keys = step(entry["file"], entry["input"], manifest["batch"], manifest["sgd"], 100 + i)
        store.write(os.path.join(manifest["out"], f"{name}.safetensors"))
        with open(os.path.join(manifest["out"], f"{name}.json"), "w") as f:
            json.dump({"torch": torch.__version__, "keys": keys}, f)


if __name__ == "__main__":
    main()
