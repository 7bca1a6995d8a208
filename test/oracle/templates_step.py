#!/usr/bin/python3
# PyTorch's side of test/gpu/templates-step.test.ts: one SGD step of a template's generated model.py
# (engine/io/pytorch-code) from torch's default init, on a seeded batch. One model per run, so each test waits only
# for its own model and a big one (VGG's ~130M parameters) is out of memory before the next starts.
#
# Run with Debian's torch: /usr/bin/python3 test/oracle/templates_step.py MANIFEST.json
# The manifest: {"out": folder, "name": id, "file": model.py, "input": [C, H, W], "batch": 2, "seed": 100,
# "sgd": {"lr", "momentum", "weight_decay"}, "float64": false, "residual_scale": null}; residual_scale, when given,
# multiplies every Bottleneck's bn3.weight by it after the init (its residual branch scaled down: ResNet-50, see the
# test). Writes, straight from the tensors (no copies: files of ~0.5 GB each):
#   folder/ID.init.safetensors  images, labels and the state_dict before the step (int64 counters as int32),
#   folder/ID.sgd.safetensors   the state_dict after the step,
#   folder/ID.json              {"torch", "keys", "loss"}, and with "float64" also "float32_error": per floating
#                               entry, max |float32 step - float64 step| (how far torch's own float32 step is off).

import copy
import importlib.util
import json
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(__file__))

from make_fixtures import DTYPES  # noqa: E402  (also pins the SIMD paths, one thread, deterministic algorithms)

import torch  # noqa: E402
import torch.nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def engine_dtype(t):
    return t.to(torch.int32) if t.dtype == torch.int64 else t


def write_safetensors(path, tensors):
    """tensors: (name, tensor) pairs, written in order; each tensor's bytes go to the file without a copy."""
    tensors = [(name, engine_dtype(t.detach()).contiguous()) for name, t in tensors]
    header, offset = {}, 0
    for name, t in tensors:
        size = t.numel() * t.element_size()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape) or [1], "data_offsets": [offset, offset + size]}
        offset += size
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # NOTE: the data starts 8-byte aligned, so the reader can view it as float32
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for _, t in tensors:
            f.write(memoryview(t.reshape(-1).numpy()).cast("B"))


def main():
    with open(sys.argv[1]) as f:
        m = json.load(f)
    seed = m["seed"]
    spec = importlib.util.spec_from_file_location(f"model_{m['name']}", m["file"])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    torch.manual_seed(seed)
    model = module.Model()
    # NOTE: torch cannot draw the engine's dropout mask (another generator), so dropout is off on both sides.
    for layer in model.modules():
        if isinstance(layer, torch.nn.Dropout):
            layer.p = 0.0
    if m.get("residual_scale") is not None:
        scale_residuals(model, m["residual_scale"])
    g = torch.Generator().manual_seed(seed + 1)
    images = torch.randn(m["batch"], *m["input"], generator=g)
    labels = torch.randint(0, 10, (m["batch"],), generator=g, dtype=torch.int32)
    state = model.state_dict()
    keys = list(state.keys())
    out = os.path.join(m["out"], m["name"])
    write_safetensors(f"{out}.init.safetensors", [("images", images), ("labels", labels), *state.items()])
    exact = copy.deepcopy(model).double() if m.get("float64") else None
    loss = sgd_step(model, images, labels, m["sgd"])
    write_safetensors(f"{out}.sgd.safetensors", model.state_dict().items())
    meta = {"torch": torch.__version__, "keys": keys, "loss": loss}
    if exact is not None:
        sgd_step(exact, images.double(), labels, m["sgd"])
        ref = exact.state_dict()
        meta["float32_error"] = {
            k: float((v.double() - ref[k]).abs().max()) for k, v in model.state_dict().items() if v.is_floating_point()
        }
    with open(f"{out}.json", "w") as f:
        json.dump(meta, f)


def scale_residuals(model, scale):
    """Multiplies every Bottleneck's last BatchNorm weight (bn3.weight, 1 from torch's init) by scale."""
    blocks = [layer for layer in model.modules() if type(layer).__name__ == "Bottleneck"]
    if not blocks:
        raise ValueError("residual_scale: the model has no Bottleneck")
    with torch.no_grad():
        for block in blocks:
            block.bn3.weight.mul_(scale)


def sgd_step(model, images, labels, sgd):
    """One training-mode SGD step in place; returns the loss."""
    model.train()
    opt = torch.optim.SGD(model.parameters(), **sgd)
    opt.zero_grad()
    loss = F.cross_entropy(model(images), labels.long())
    loss.backward()
    opt.step()
    return float(loss)


if __name__ == "__main__":
    main()
