# PyTorch oracle for checkpoint IO: `make DIR` writes files with torch.save; `check DIR` loads the files we wrote.
# Prints one JSON object on stdout. Run with Debian's /usr/bin/python3 (python3-torch 1.13).

import collections
import copy
import json
import math
import os
import struct
import sys
import zipfile

import torch
from torch import nn


class Net(nn.Module):
    """The small conv + bn + linear model both sides agree on: input (1, 8, 8), 3 classes."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3)
        self.bn = nn.BatchNorm2d(4)
        self.fc = nn.Linear(4 * 6 * 6, 3)

    def forward(self, x):
        return self.fc(torch.relu(self.bn(self.conv(x))).flatten(1))


def describe(t):
    """A tensor as JSON: dtype name, shape, values (floats, or ints for integer dtypes)."""
    t = t.detach()
    values = t.flatten().tolist()
    return {"dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape), "values": values}


def describe_dict(sd):
    return {"keys": list(sd.keys()), "tensors": {k: describe(v) for k, v in sd.items()}}


def trained_state_dict():
    torch.manual_seed(0)
    model = Net()
    model(torch.randn(5, 1, 8, 8))  # train mode: updates running stats and num_batches_tracked
    return model.state_dict()


def make(directory):
    sd = trained_state_dict()
    expected = {}

    def save(name, value, **kwargs):
        torch.save(value, os.path.join(directory, name), **kwargs)

    save("model.pt", sd)
    expected["model.pt"] = describe_dict(sd)
    save("nested_state_dict.pt", {"state_dict": sd, "epoch": 5, "arch": "net"})
    expected["nested_state_dict.pt"] = describe_dict(sd)
    model = Net()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    model(torch.randn(2, 1, 8, 8)).sum().backward()
    optimizer.step()
    save("nested_model.pt", {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": 1})
    expected["nested_model.pt"] = describe_dict(model.state_dict())
    for dtype in ["float16", "bfloat16", "float64"]:
        converted = collections.OrderedDict(
            (k, v.to(getattr(torch, dtype)) if v.is_floating_point() else v) for k, v in sd.items()
        )
        save(f"{dtype}.pt", converted)
        expected[f"{dtype}.pt"] = describe_dict(converted)
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    views = collections.OrderedDict(
        [
            ("base", base),
            ("row", base[2]),
            ("transposed", base.t()),
            ("columns", base[:, 1:4]),
            ("strided", base[::2, ::3]),
            ("tied", base),
            ("param", nn.Parameter(base[1:3].clone())),
        ]
    )
    save("views.pt", views)
    expected["views.pt"] = describe_dict(views)
    assert views["row"].storage_offset() == 12 and views["row"].storage().data_ptr() == base.storage().data_ptr()
    save("protocol4.pt", sd, pickle_protocol=4)
    expected["protocol4.pt"] = describe_dict(sd)
    save("whole_model.pt", model)  # torch.save(model): pickles the class, which we must refuse
    save("legacy.pt", sd, _use_new_zipfile_serialization=False)
    expected["legacy.pt"] = describe_dict(sd)
    print(json.dumps(expected))


def zip_report(path):
    """CRC check by Python's zipfile, and where each entry's data starts (torch aligns to 64 bytes)."""
    with zipfile.ZipFile(path) as z:
        bad = z.testzip()
        offsets = {}
        with open(path, "rb") as f:
            raw = f.read()
        for info in z.infolist():
            name_length, extra_length = struct.unpack("<HH", raw[info.header_offset + 26 : info.header_offset + 30])
            offsets[info.filename] = info.header_offset + 30 + name_length + extra_length
        return {"crc_ok": bad is None, "names": z.namelist(), "data_offsets": offsets}


def python_value(v):
    """Nested Python values as JSON that keeps the Python types visible."""
    if isinstance(v, torch.Tensor):
        return {"tensor": describe(v)}
    if isinstance(v, collections.OrderedDict):
        return {"OrderedDict": [[python_value(k), python_value(x)] for k, x in v.items()]}
    if isinstance(v, dict):
        return {"dict": [[python_value(k), python_value(x)] for k, x in v.items()]}
    if isinstance(v, tuple):
        return {"tuple": [python_value(x) for x in v]}
    if isinstance(v, list):
        return {"list": [python_value(x) for x in v]}
    if isinstance(v, bool) or v is None:
        return {type(v).__name__: v}
    if isinstance(v, int):
        return {"int": str(v)}
    if isinstance(v, float):
        return {"float": v if math.isfinite(v) else str(v)}
    if isinstance(v, str):
        return {"str": v}
    raise TypeError(type(v))


def read_safetensors(path):
    """A tiny safetensors parser (the `safetensors` package is not installed here)."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header_text = raw[8 : 8 + n].decode("utf-8")
    header = json.loads(header_text)
    dtypes = {"F32": (torch.float32, 4), "F64": (torch.float64, 8), "F16": (torch.float16, 2),
              "BF16": (torch.bfloat16, 2), "I64": (torch.int64, 8), "I32": (torch.int32, 4),
              "I16": (torch.int16, 2), "I8": (torch.int8, 1), "U8": (torch.uint8, 1), "BOOL": (torch.bool, 1)}
    metadata = header.pop("__metadata__", {})
    data = raw[8 + n :]
    entries = sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0])
    position = 0
    tensors = {}
    for name, entry in entries:
        begin, end = entry["data_offsets"]
        dtype, size = dtypes[entry["dtype"]]
        assert begin == position, f"gap before {name}"
        assert end - begin == math.prod(entry["shape"]) * size, f"size of {name}"
        chunk = bytearray(data[begin:end])
        t = torch.frombuffer(chunk, dtype=dtype) if chunk else torch.empty(0, dtype=dtype)
        tensors[name] = describe(t.reshape(entry["shape"]))
        position = end
    assert position == len(data), "trailing bytes"
    stripped = raw[8 : 8 + n].rstrip(b" ")
    return {
        "header_length": n,
        "padded_with_spaces": n % 8 == 0 and n - len(stripped) < 8 and stripped.endswith(b"}"),
        "metadata": metadata,
        "keys": [name for name, _ in entries],
        "tensors": tensors,
    }


def check(directory):
    report = {}
    path = lambda name: os.path.join(directory, name)  # noqa: E731

    # (a) a plain state_dict: weights_only=True, and it loads strictly into the matching model.
    sd = torch.load(path("ours_state_dict.pt"), weights_only=True)
    report["state_dict"] = {"type": type(sd).__name__, **describe_dict(sd), "zip": zip_report(path("ours_state_dict.pt"))}
    net = Net()
    net.load_state_dict(torch.load(path("ours_net.pt"), weights_only=True))
    net.eval()
    report["net_output"] = net(torch.ones(1, 1, 8, 8)).flatten().tolist()

    # Every dtype, read back as torch sees it.
    dtypes = torch.load(path("ours_dtypes.pt"), weights_only=True)
    report["dtypes"] = describe_dict(dtypes)

    # Nested Python values: the types Python sees.
    report["nested"] = python_value(torch.load(path("ours_nested.pt")))

    # (a) the full training checkpoint, and optimizers that accept its state.
    for kind in ["adam", "sgd"]:
        ckpt = torch.load(path(f"ours_training_{kind}.pt"), weights_only=False)
        model = Net()
        model.load_state_dict(ckpt["model"])
        if kind == "adam":
            optimizer = torch.optim.Adam(model.parameters(), lr=0.5)
        else:
            optimizer = torch.optim.SGD(model.parameters(), lr=0.5, momentum=0.1)
        optimizer.load_state_dict(ckpt["optimizer"])
        state = copy.deepcopy(optimizer.state_dict())  # step() below mutates the live tensors
        model(torch.ones(2, 1, 8, 8)).sum().backward()
        optimizer.step()  # the loaded state must be usable
        report[f"training_{kind}"] = {
            "top_keys": list(ckpt.keys()),
            "epoch": python_value(ckpt["epoch"]),
            "step": python_value(ckpt["step"]),
            "settings": python_value(ckpt["settings"]),
            "param_groups": python_value(state["param_groups"]),
            "state": {str(k): {n: python_value(v) for n, v in s.items()} for k, s in state["state"].items()},
            "steps_after": [float(s["step"]) for s in optimizer.state.values() if "step" in s],
        }
        try:
            torch.load(path(f"ours_training_{kind}.pt"), weights_only=True)
            report[f"training_{kind}"]["weights_only"] = "loaded"
        except Exception as error:  # torch 1.13 refuses floats there
            report[f"training_{kind}"]["weights_only"] = str(error)[:200]

    # (c) safetensors.
    report["safetensors"] = read_safetensors(path("ours.safetensors"))
    print(json.dumps(report))


if __name__ == "__main__":
    command, directory = sys.argv[1], sys.argv[2]
    {"make": make, "check": check}[command](directory)
